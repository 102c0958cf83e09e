"""How pip reads a Simple API page: pip's own parser (pip._internal.index.collector.parse_links), for HTML and JSON.

Reads JSON lines {"content": page text, "content_type": str, "url": page URL} and writes, for each, the list of
links pip sees: {"url", "filename", "hashes", "requires_python", "yanked", "yanked_reason",
"metadata": null | {"hashes": {...} | null}}.
"""
import json
import sys

from pip._internal.index.collector import IndexContent, parse_links

for line in sys.stdin:
    if not line.strip():
        continue
    case = json.loads(line)
    page = IndexContent(case["content"].encode("utf-8"), case["content_type"], "utf-8", case["url"], cache_link_parsing=False)
    links = []
    for link in parse_links(page):
        metadata = link.metadata_file_data
        links.append({
            "url": link.url_without_fragment,
            "filename": link.filename,
            "hashes": link._hashes,
            "requires_python": link.requires_python,
            "yanked": link.is_yanked,
            "yanked_reason": link.yanked_reason,
            "metadata": None if metadata is None else {"hashes": metadata.hashes},
        })
    print(json.dumps(links))
