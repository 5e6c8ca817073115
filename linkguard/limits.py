"""Every default limit, named once. Flags and constructor arguments override them."""

from __future__ import annotations

# --- input -----------------------------------------------------------------------------
#: Bytes read from a source at a time; memory stays flat whatever the file size.
READ_BLOCK_BYTES = 1 << 20
#: A line longer than this is processed in pieces (cut at whitespace where possible).
MAX_LINE_CHARS = 1 << 20
#: Bytes sniffed to detect format, compression and binary content.
SNIFF_BYTES = 8192
#: A sniffed block is binary when more than this share of its non-NUL bytes are control bytes or
#: not UTF-8 (images and archives: ~0.5; text with stray bytes: ~0).
BINARY_SHARE = 0.25
#: A file whose first block looks binary is probed this far for text before it is skipped.
BINARY_PROBE_BYTES = 1 << 20
#: A named pipe (or ``<(command)``) that gives no data for this long is given up, keeping what came.
PIPE_IDLE_TIMEOUT_S = 30.0
#: A JSON document is decoded this many characters at a time (what it holds besides the post being read).
JSON_READ_CHARS = 1 << 18
#: A JSON array or object larger than this is read member by member instead of parsed whole, so a
#: multi-GB export streams in flat memory; a post is far smaller and is always parsed whole.
JSON_WHOLE_VALUE_CHARS = 4 << 20
#: One JSON value that cannot be split (a string) larger than this is scanned as text from there on.
MAX_JSON_VALUE_CHARS = 32 << 20
#: Output one decompressor call may produce, so a compression bomb costs time, never memory.
DECOMPRESS_OUT_BYTES = 1 << 20
#: Compressed input handed over per call: a corrupt block raises and loses that call's output, so
#: small pieces keep what came before a fault.
DECOMPRESS_IN_BYTES = 64 << 10
#: zstd's streaming decompressor takes no output bound, so it is fed this much input at a time:
#: zstd inflates at most ~32,768x (1 GiB of zeros is 32 KiB), so one call yields at most 8 MiB
#: even for a bomb; small pieces cost little (68 MB of text: 0.24 s against 0.19 s in 1 KiB pieces).
DECOMPRESS_FEED_BYTES = 256
#: CSV fields may be long (posts with quoted text); Python's default is 128 KiB.
MAX_CSV_FIELD_CHARS = 16 << 20

# --- extraction --------------------------------------------------------------------------
#: Longest candidate URL kept; longer spans are cut (no regex may run away on them).
MAX_URL_CHARS = 4096
MAX_LABEL_CHARS = 63
MAX_HOST_CHARS = 253

# --- network (forensics) -----------------------------------------------------------------
CONNECT_TIMEOUT_S = 5.0
READ_TIMEOUT_S = 10.0
TOTAL_TIMEOUT_S = 30.0
MAX_REDIRECTS = 10
MAX_BODY_BYTES = 2 << 20
MAX_DECODED_BYTES = 8 << 20
MAX_HEADER_BYTES = 64 << 10
MAX_CONCURRENCY = 8
#: Wall-clock budget of one link's whole investigation (DNS, every hop of the three visitor
#: walks, parsing, RDAP/WHOIS); ``--budget`` lowers it, never above ``MAX_LINK_BUDGET_S``.
LINK_BUDGET_S = 60.0
#: Decoded bytes one link's investigation may read in total (bounds its memory with the caps below).
LINK_BUDGET_BYTES = 32 << 20
#: Hard upper bounds of the numeric network options: no flag can lift a limit beyond these.
MAX_LINK_BUDGET_S = 600.0
MAX_TIMEOUT_S = 120.0
MAX_BODY_BYTES_CAP = 8 << 20
MAX_REDIRECTS_CAP = 50
MAX_CONCURRENCY_CAP = 32
PER_HOST_INTERVAL_S = 0.5
WHOIS_TIMEOUT_S = 10.0
WHOIS_MAX_BYTES = 256 << 10
CACHE_TTL_S = 24 * 3600
#: getaddrinfo runs in a helper thread and is abandoned after this long.
DNS_TIMEOUT_S = 5.0
#: Ports a strict policy connects to (OWASP SSRF advice); ``allow_private`` lifts this too.
ALLOWED_PORTS = (80, 443)
#: Decoded HTML handed to the parser; beyond this only the byte count is kept.
MAX_PARSE_BYTES = 2 << 20
#: Links/assets counted on one page (outlet share); the rest are ignored.
MAX_PAGE_LINKS = 5000
#: RDAP answers are small JSON documents; larger ones are cut and treated as unusable.
RDAP_MAX_BYTES = 1 << 20
#: RDAP servers may redirect (rdap.org, registrar referrals); followed only this far.
RDAP_MAX_REDIRECTS = 3
#: ``permute --online``: names whose DNS and RDAP are asked at once (``--concurrency``), and the
#: most any flag may ask for; DNS answers in milliseconds, RDAP servers rate-limit bursts.
PERMUTE_CONCURRENCY = 8
PERMUTE_CONCURRENCY_CAP = 64
#: ``permute --online``: seconds one DNS query (A, AAAA, NS or MX) may take, retries included.
PERMUTE_DNS_TIMEOUT_S = 4.0
#: Pages with fewer tags (start and end) than this get no template hash: a bare redirect or
#: error page looks the same everywhere and would join unrelated domains into one cluster.
MIN_TEMPLATE_TAGS = 24
#: A domain registered fewer days ago than this before the check is "young".
YOUNG_DOMAIN_DAYS = 90
#: ``investigate_many`` keeps at most this many items per worker in flight (streaming input).
IN_FLIGHT_PER_WORKER = 4

# --- popular-domains list (``linkguard update-popular``) -----------------------------------
#: Bytes downloaded at most (CrUX's global list is ~10 MB gzipped).
POPULAR_MAX_DOWNLOAD_BYTES = 64 << 20
#: Bytes a compressed list may expand to.
POPULAR_MAX_DECODED_BYTES = 256 << 20
#: Registrable domains kept, best-ranked first.
POPULAR_MAX_ENTRIES = 200_000
#: A download with fewer usable domains than this is not a top-sites list and is refused.
POPULAR_MIN_ENTRIES = 1000

# --- posts and wrappers --------------------------------------------------------------------
#: Redirect wrappers undone inside one another (a Safe Link around a Facebook shim …).
MAX_UNWRAP_DEPTH = 5
#: Characters of a post's text kept around a link as the finding's ``context``.
POST_CONTEXT_CHARS = 300

# --- web page and API (``linkguard serve``) ------------------------------------------------
#: Bytes one request may send (a body, an upload, a form); more is refused with 413 as it streams.
WEB_MAX_BODY_BYTES = 50 << 20
#: A body over the limit is still read (and thrown away) up to this much, so the client is not cut
#: off mid-upload and sees the 413; beyond it the connection is closed.
WEB_DRAIN_BYTES = 256 << 20
#: Bytes of a pasted (non-file) form field; files are spooled to disk, form fields are held in memory.
WEB_MAX_PASTE_BYTES = 5 << 20
#: Online investigations the server runs at once; more get 503 with Retry-After.
WEB_MAX_INVESTIGATIONS = 2
#: Scan results kept for report downloads (their inputs spooled to disk); the oldest go first.
WEB_RESULTS_KEPT = 16
#: Findings the page lists (flagged first); every one is in the downloads.
WEB_SHOWN_FINDINGS = 500

# --- parallel scans (scan --jobs, linkguard.partition) ----------------------------------
#: Bytes of input per unit of work: a byte range of a large text or JSON Lines file, or a batch
#: of small files. Large enough that a unit's start-up is noise, small enough that two workers
#: stay busy to the end and a unit's findings fit easily in memory.
UNIT_BYTES = 8 << 20
#: Near the end of a file its ranges shrink to a quarter of what is left, down to ``UNIT_BYTES``
#: divided by this: the last ranges are small, so no worker idles long while another ends the run.
TAIL_SHRINK = 4
#: What one host seen for the first time costs a scan (parsing it, judging it against every outlet:
#: ~60–90 µs, later sightings are memoised), in bytes of prose scanned in that time (~25 ns each):
#: a domain list, a new host every ~15 bytes, is ~100x the work of prose per byte.
HOST_COST_BYTES = 2048
#: A text estimated at less than this many times the work of prose per byte is planned as prose:
#: a post's link or two in a sniffed head is within the estimate's noise.
DENSE_MIN_WEIGHT = 4.0
#: The smallest range a dense text is cut into for ``scan --jobs`` (~1,000 names of a domain list,
#: a few tenths of a second of work).
DENSE_MIN_UNIT_BYTES = 16 << 10
#: A JSON array is cut into ranges for ``scan --jobs`` only where its elements nest at most this
#: deep (deeper ones are left to the sequential read, whose recursion limit judges them).
JSON_SPLIT_MAX_DEPTH = 256
#: Units in flight per worker: results come back in input order, so this bounds what waits.
UNITS_IN_FLIGHT_PER_WORKER = 2
#: Findings a worker keeps in memory for one unit before it spools them to a temporary file (a
#: compressed dump is one unit however large it is).
UNIT_FINDINGS_IN_MEMORY = 20_000
#: Bytes of a worker's JSON Lines part copied at once where the output cannot take them in the
#: kernel (a terminal, a stream without a file descriptor).
UNIT_ENCODED_BYTES_IN_MEMORY = 16 << 20

# --- scanning on a Dask cluster (``scan --dask``) -------------------------------------------
#: Plain text and JSON Lines larger than this are split into byte ranges on line boundaries,
#: one task each: big enough that a task's overhead (a few ms) is noise, small enough that two
#: workers share a 200 MB dump.
DASK_BLOCK_BYTES = 32 << 20
#: Rows of a Parquet file read at once: memory stays flat whatever the file's size.
PARQUET_BATCH_ROWS = 8192

# --- indicator feeds and source ratings (``linkguard rules update-feeds``) ----------------------
#: Bytes one feed file (a CSV of indicators, a ratings table, a directory listing) may have.
FEED_MAX_FILE_BYTES = 8 << 20
#: Files one feed may fetch (Meta's repository holds ~60 influence-operation CSVs).
FEED_MAX_FILES = 400
#: Bytes one ``update-feeds`` run may download in all (Meta's CSVs are ~1 MB together today).
FEED_MAX_TOTAL_BYTES = 64 << 20
#: Seconds for one feed download.
FEED_TIMEOUT_S = 30.0
#: A domain rated below this on the 0–1 scale of a source rating (Lin et al. 2023's ``pc1``) is
#: low-rated and flagged. 0.3 keeps the bottom ~17 % of the 11,520 rated domains; at 0.4 platforms
#: rated as news sources (youtube.com 0.38) and large tabloids would be flagged.
RATING_LOW_THRESHOLD = 0.3
#: Score of a link whose only problem is a low source rating (flagged: ≥ SUSPICIOUS_THRESHOLD).
RATING_SCORE = 60
#: Characters of WhatsApp messages held while a chat's day/month order is still unknown (see
#: ``inputs.whatsapp``); past it the held messages keep their dates as written.
WHATSAPP_HELD_CHARS = 8 << 20
#: A zip (XLSX, a zipped chat export) is copied to a temporary file to be read, as a zip is read
#: from its end: in memory up to this size, on disk past it.
SPOOL_MEMORY_BYTES = 16 << 20

# --- evidence beyond the page: likeness to the real outlet, screenshots ------------------------
#: Characters of a page's tag skeleton and of its text that are fuzzy-hashed (ssdeep, pure Python:
#: ~0.2 s per 64 K characters); a clone's likeness shows long before this.
SIMILARITY_MAX_CHARS = 64 * 1024
#: Tags kept per page for the skeleton (start and end tags, in order).
SIMILARITY_MAX_TAGS = 20_000
#: Seconds and decoded bytes one screenshot may spend on its page and everything the page loads.
SCREENSHOT_BUDGET_S = 30.0
SCREENSHOT_BUDGET_BYTES = 16 << 20
#: Requests the rendered page may make (each through the guarded fetcher); the rest are refused.
SCREENSHOT_MAX_REQUESTS = 60
#: The browser window a screenshot shows (a common laptop viewport).
SCREENSHOT_VIEWPORT = (1280, 800)

# --- reports ----------------------------------------------------------------------------------
#: The HTML report's timeline has one bar per day up to this many days, then per week (Monday)
#: up to ``CHART_MAX_WEEKS`` weeks, then per month: a bar stays wide enough to see and hover.
CHART_MAX_DAYS = 92
CHART_MAX_WEEKS = 104
#: Outlets drawn in their own colour (the Okabe–Ito palette has 7 besides black); the rest are
#: "other outlets". Bars of the outlets and techniques chart; the rest are summed in one "other" bar.
CHART_MAX_SERIES = 7
CHART_MAX_BARS = 12
#: A spreadsheet cell holds at most 32,767 characters (Excel's limit); longer text is cut there.
XLSX_MAX_CELL_CHARS = 32_767
