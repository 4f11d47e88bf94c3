"""reST header ⇄ Record: a PEP's header fields as a decision record, and a record written back as a header.

Header values bridge rewrites in a normal form (Author with e-mails, ``Topic: Packaging``, ``Created`` dates,
number lists) keep their original wording in ``extra`` under the header's name, so export writes them back as
they were.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath

from bridge.domain import KEY_PREFIX_BY_KIND, Record, RecordKind, SourceFile
from bridge.errors import ParseError
from bridge.ingest.fields import (
    KIND_ALIASES,
    as_date,
    as_list,
    key_from_filename,
    kind_from_folders,
    normalise_key,
)
from bridge.ingest.fields import topic_from_path as folder_topic
from bridge.ingest.rst import (
    HEADER_ORDER,
    RstHeader,
    created_text,
    proposal_numbers,
    proposal_refs,
    split_names,
    topics_from_header,
)
from bridge.ingest.status import IMPORT_DEFAULT_STATUS, normalise_status

CANONICAL_HEADERS: dict[str, str] = {
    "pep": "PEP", "id": "Id", "key": "Id", "title": "Title", "kind": "Kind", "author": "Author",
    "authors": "Author", "owners": "Owners", "reviewers": "Reviewers", "consulted": "Consulted",
    "informed": "Informed", "status": "Status", "topic": "Topic", "tags": "Tags", "requires": "Requires",
    "related": "Related", "amends": "Amends", "created": "Created", "review-by": "Review-By",
    "replaces": "Replaces", "superseded-by": "Superseded-By", "type": "Type",
}
"""Lower-case header name → the name bridge reads it as."""

SHADOWED_HEADERS: frozenset[str] = frozenset({"Author", "Topic", "Created", "Replaces", "Superseded-By", "Requires"})
"""Headers whose original wording is kept in extra when bridge's normal form differs from it."""

_MODELLED = frozenset(CANONICAL_HEADERS.values()) - {"Type"}
_HEADER_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9-]*$")


def _ref_prefix(key: str, kind: RecordKind) -> str:
    """Return the key prefix number lists refer to (``PEP`` for PEPs, else the kind's)."""
    prefix = key.split("-", 1)[0] if "-" in key else ""
    return prefix if prefix.isalpha() else KEY_PREFIX_BY_KIND[kind]


def record_from_header(header: RstHeader, source_path: str, explicit_kind: RecordKind | None,
                       folders: list[str], default_kind: RecordKind = "decision") -> SourceFile:
    """Return the record a reST header and body describe."""
    fields: dict[str, str] = {}
    extra: dict[str, str] = {}
    for name, value in header.fields.items():
        canonical = CANONICAL_HEADERS.get(name.lower())
        if canonical and canonical not in fields:
            fields[canonical] = value
        else:
            extra[name] = value
    if "Type" in fields:
        extra["Type"] = fields["Type"]
    warnings: list[str] = []
    stated_kind = KIND_ALIASES.get(fields.get("Kind", "").lower())
    if fields.get("Kind") and stated_kind is None and explicit_kind is None:
        raise ParseError(f"unknown kind '{fields['Kind']}': use decision, runbook or postmortem", source_path)
    kind: RecordKind = explicit_kind or stated_kind or kind_from_folders(folders) or default_kind
    number = fields.get("PEP", "").strip()
    if number.isdigit():
        key = f"PEP-{int(number):04d}"
    elif fields.get("Id"):
        key = normalise_key(fields["Id"], kind)
    else:
        key = key_from_filename(PurePosixPath(source_path).name, kind)
    title = fields.get("Title") or header.title
    if not title:
        raise ParseError("no title: add a 'Title:' header or an underlined document title", source_path)
    prefix = _ref_prefix(key, kind)
    authors = split_names(fields.get("Author", ""))
    status_text = fields.get("Status", "")
    status, superseded_refs, status_warnings = normalise_status(status_text, kind)
    warnings += status_warnings
    created = fields.get("Created", "")
    record_date = as_date(created)
    if created and record_date is None:
        warnings.append(f"Created '{created}' is not a date; kept as written")
    supersedes = proposal_refs(fields.get("Replaces", ""), prefix)
    superseded_by = proposal_refs(fields.get("Superseded-By", ""), prefix)
    superseded_by += [ref for ref in superseded_refs if ref not in superseded_by]
    requires = proposal_refs(fields.get("Requires", ""), prefix)
    related = requires + [ref for ref in as_list(fields.get("Related", "")) if ref not in requires]
    shadow_checks = {
        "Author": ", ".join(authors),
        "Created": created_text(created) if record_date else "",
        "Replaces": proposal_numbers(supersedes, prefix),
        "Superseded-By": proposal_numbers(proposal_refs(fields.get("Superseded-By", ""), prefix), prefix),
        "Requires": proposal_numbers(requires, prefix),
    }
    for name, normal_form in shadow_checks.items():
        if fields.get(name) and fields[name] != normal_form:
            extra[name] = fields[name]
    topics = topics_from_header(fields)
    if fields.get("Topic") and fields["Topic"] != ", ".join(topics):
        extra["Topic"] = fields["Topic"]
    if not topics:
        topics = as_list(folder_topic(source_path))
    record = Record(
        key=key, kind=kind, title=title, status=status or IMPORT_DEFAULT_STATUS[kind], body=header.body,
        status_text=status_text, body_format="rst", topics=topics, tags=as_list(fields.get("Tags", "")),
        owners=as_list(fields.get("Owners", "")), authors=authors, reviewers=as_list(fields.get("Reviewers", "")),
        consulted=as_list(fields.get("Consulted", "")), informed=as_list(fields.get("Informed", "")),
        supersedes=supersedes, superseded_by=superseded_by, amends=as_list(fields.get("Amends", "")),
        related=related, date=record_date, review_by=as_date(fields.get("Review-By", "")),
        source_path=source_path, extra=extra,
    )
    return SourceFile(record=record, warnings=warnings)


def render_rst_header(record: Record) -> str | None:
    """Return record as a reST file with a PEP-style header, or None when a header cannot hold it exactly."""
    prefix = _ref_prefix(record.key, record.kind)
    extra = record.extra
    values: dict[str, str] = {}
    pep = re.fullmatch(r"PEP-(\d+)", record.key)
    if pep:
        values["PEP"] = str(int(pep.group(1)))
    elif record.key:
        values["Id"] = record.key
    values["Title"] = record.title
    if record.kind != "decision":
        values["Kind"] = record.kind
    raw_author = extra.get("Author")
    if isinstance(raw_author, str) and split_names(raw_author) == record.authors:
        values["Author"] = raw_author
    elif record.authors:
        values["Author"] = ", ".join(record.authors)
    for name, items in (("Owners", record.owners), ("Reviewers", record.reviewers), ("Tags", record.tags),
                        ("Amends", record.amends), ("Consulted", record.consulted), ("Informed", record.informed)):
        if items:
            values[name] = ", ".join(items)
    if record.status_text or record.status != IMPORT_DEFAULT_STATUS[record.kind]:
        values["Status"] = record.status_text or record.status
    if isinstance(extra.get("Type"), str):
        values["Type"] = extra["Type"]
    raw_topic = extra.get("Topic")
    if isinstance(raw_topic, str) and topics_from_header({"Topic": raw_topic}) == record.topics:
        values["Topic"] = raw_topic
    elif record.topics and record.topics != topics_from_header({"Type": values.get("Type", "")}):
        values["Topic"] = ", ".join(record.topics)
    raw_created = extra.get("Created")
    if isinstance(raw_created, str) and as_date(raw_created) == record.date:
        values["Created"] = raw_created
    elif record.date:
        values["Created"] = created_text(record.date.isoformat())
    if record.review_by:
        values["Review-By"] = record.review_by.isoformat()
    for name, keys in (("Replaces", record.supersedes), ("Superseded-By", record.superseded_by)):
        raw = extra.get(name)
        if isinstance(raw, str) and proposal_refs(raw, prefix) == keys:
            values[name] = raw
        elif keys:
            numbers = proposal_numbers(keys, prefix)
            if numbers is None:
                return None
            values[name] = numbers
    raw_requires = extra.get("Requires")
    if isinstance(raw_requires, str) and proposal_refs(raw_requires, prefix) == record.related:
        values["Requires"] = raw_requires
    elif record.related:
        numbers = proposal_numbers(record.related, prefix)
        values["Requires" if numbers is not None else "Related"] = numbers or ", ".join(record.related)
    for name, value in extra.items():
        if name in SHADOWED_HEADERS or name == "Type":
            continue
        if name in _MODELLED or not isinstance(value, str) or not _HEADER_NAME.match(name):
            return None
        values[name] = value
    if any("\n" in value for value in values.values()):
        return None
    ordered = [name for name in HEADER_ORDER if name in values]
    ordered += [name for name in values if name not in ordered]
    header = "\n".join(f"{name}: {values[name]}".rstrip() for name in ordered)
    return f"{header}\n\n{record.body}"
