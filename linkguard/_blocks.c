/*
 * linkguard._blocks: the one pass over every byte of a plain-text dump, in C.
 *
 * select_lines(block) does what linkguard.inputs.plaintext._select_lines_py does with the
 * prefilter (in re): keep the lines that may hold a link, decode them, join them
 * with as many newlines as the lines in between had, and mark the ones holding something to
 * de-obfuscate. The patterns are linkguard.prefilter.HINT and OBFUSCATION, byte for byte; a
 * property test checks both versions give the same result. Optional: without a C compiler the
 * Python version runs.
 *
 * literal_starts(text, start, end) is where the string literals of a JSON value open, the
 * positions linkguard.inputs.jsontree gives its records, and whether orjson reads the value as
 * json does (its Python twin: linkguard.inputs.jsontree._literal_starts_py). literals, locate and
 * split_run count and place the literals of a parsed value, the per-post walk of jsontree, and
 * value_end finds where an array or object closes (twins: _literals_py, _locate_py,
 * _split_run_py in jsontree, _value_end_py in jsondump; property tests check each pair agrees).
 * literal_places(text, starts, indices, ...) gives the line and column of a post's fields at once
 * (twin: _literal_places_py in jsontree).
 * has_lone_surrogate(*values) is the scanner's test of every record for what no encoding can
 * write (twin: linkguard.scan._has_lone_surrogate_py).
 *
 * tweet_quiet(text, ...) tells a quiet X post from its raw text, by a strict reading of JSON,
 * before anything parses it (linkguard.inputs.shapes.twitter.quiet_raw; a property test holds it
 * to parsing and reading the post). tweet_links(fields, ...) reads an ordinary parsed X post's text
 * and links without a path per string (twin: linkguard.inputs.shapes.twitter._links_walked).
 *
 * deletion_hits(key, index) is the SymSpell lookup of linkguard.lookalike.index (its Python twin:
 * linkguard.lookalike.index._deletion_hits_py): which one-deletion variants of a name are indexed.
 *
 * Names(text, numbers) is a read-only map of the popular list's ~100k names to numbers in one block
 * of memory (linkguard.lookalike.profile.name_map; property tests hold it to the dict it replaces).
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <structmember.h>
#include <stdint.h>
#include <string.h>

#if defined(__SSE2__) && defined(__GNUC__)
#include <emmintrin.h>
#define HAVE_SSE2 1 /* the SSE2 scans below; each has a plain loop for other machines */
#endif

/* Bytes that can start a pattern. */
static unsigned char START[256];
/* Bytes that end a plain run of a JSON literal (a quote, a backslash, a control character). */
static unsigned char RUN_STOP[256];

static void init_start(void) {  /* and RUN_STOP */
    for (int c = 0; c < 0x20; c++) RUN_STOP[c] = 1;
    RUN_STOP['"'] = RUN_STOP['\\'] = 1;
    const char *ascii = ".:[({\\xX*oO";
    for (const char *c = ascii; *c; c++) START[(unsigned char)*c] = 1;
    const unsigned char lead[] = {0xc2, 0xcd, 0xd8, 0xe1, 0xe2, 0xe3, 0xef, 0xf0};
    for (size_t i = 0; i < sizeof lead; i++) START[lead[i]] = 1;
}

static inline int letter_or_high(unsigned char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c >= 0x80;
}

static inline int ascii_letter(unsigned char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

static inline int label_byte(unsigned char c) { /* ASCII letters, digits, hyphen, underscore */
    return ascii_letter(c) || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

/* Whether the dot at p[i] (before two bytes that may be letters) can end the host of a
 * scheme-less link in linkguard.extract; 0 only where that is certain, in three cases of prose:
 * - ".M\xc3..." ("Dr.Müller"): one ASCII letter, then another script, starts no suffix;
 * - ".\xc3\xa4." ("o.ä."): one character that is not ASCII, then no letter, starts none;
 * - a run of ASCII labels ("St.Pauli", "Ende.Die", "Prof.Dr.Schmidt") standing alone (nothing
 *   but a space or ASCII punctuation before it), whose last label is capitalised ("Pauli") and
 *   followed by nothing that continues a link, and whose first is not all capitals: the
 *   extractor reads that as a full stop without its space ("Krieg.In"), never as a domain.
 * linkguard.prefilter.tld_dot_possible is the same in Python; a property test compares them. */
static int tld_dot_possible(const unsigned char *p, Py_ssize_t s, Py_ssize_t i, Py_ssize_t e) {
    unsigned char c1 = p[i + 1], c2 = p[i + 2];
    if (c1 >= 'A' && c1 <= 'Z' && c2 >= 0x80) return 0;
    if (c1 >= 0xc2 && c1 <= 0xf4) {
        Py_ssize_t n = c1 >= 0xf0 ? 4 : c1 >= 0xe0 ? 3 : 2, j = i + 2;
        for (; j < i + 1 + n; j++)
            if (j >= e || (p[j] & 0xc0) != 0x80) return 1;
        return j < e && (p[j] >= 0x80 || ascii_letter(p[j]));
    }
    if (!ascii_letter(c1)) return 1;
    /* the run of labels around the dot: back to its start, on to its end */
    Py_ssize_t a = i, z = i + 1;
    while (a > s && (label_byte(p[a - 1]) || p[a - 1] == '.')) a--;
    while (z < e && (label_byte(p[z]) || p[z] == '.')) z++;
    if (a > s && p[a - 1] >= 0x80) return 1; /* a letter of another script may start the host */
    Py_ssize_t end = z;
    if (p[end - 1] == '.') end--; /* a full stop after it, if only a space or the line end follows */
    if (end < z && z < e && p[z] != ' ' && p[z] != '\t' && p[z] != '\r') return 1;
    if (z < e && end == z) {
        unsigned char d = p[z];
        if (!(d == ' ' || d == '\t' || d == '\r' || d == ',' || d == ';' || d == '!' || d == ')' ||
              d == '"' || d == '\''))
            return 1;
    }
    /* the labels: none empty or longer than 63, at most 8; the first not all capitals */
    Py_ssize_t label_start = a, labels = 0, last = a;
    int upper = 0, lower = 0;
    for (Py_ssize_t k = a; k <= end; k++) {
        if (k < end && p[k] != '.') {
            if (labels == 0) {
                upper |= p[k] >= 'A' && p[k] <= 'Z';
                lower |= p[k] >= 'a' && p[k] <= 'z';
            }
            continue;
        }
        if (k == label_start || k - label_start > 63 || ++labels > 8) return 1;
        last = label_start;
        label_start = k + 1;
    }
    if (labels < 2 || (upper && !lower)) return 1;
    /* the last label: a capital, then small letters only */
    if (!(p[last] >= 'A' && p[last] <= 'Z') || end - last < 2) return 1;
    for (Py_ssize_t k = last + 1; k < end; k++)
        if (!(p[k] >= 'a' && p[k] <= 'z')) return 1;
    return 0;
}

/* What starts at p[i] in a line from s to e: 0 nothing, 1 a hint, 2 obfuscation. The dot words
 * between spaces (" . ", " dot ") are found at their dot or o and look back: a space
 * starts far too many bytes to be a start byte itself (it halved this pass's speed). */
static inline int match_at(const unsigned char *p, Py_ssize_t s, Py_ssize_t i, Py_ssize_t e) {
    unsigned char c1 = i + 1 < e ? p[i + 1] : 0; /* 0 matches none of the bytes below */
    unsigned char c2 = i + 2 < e ? p[i + 2] : 0;
    unsigned char c3 = i + 3 < e ? p[i + 3] : 0;
    switch (p[i]) {
    case '.':
        if (c1 == ' ') return i > s && p[i - 1] == ' ' ? 2 : 0;
        return letter_or_high(c1) && letter_or_high(c2) && tld_dot_possible(p, s, i, e) ? 1 : 0;
    case ':': /* "://", and "https:/" or "https:\\" as browsers also read them */
        return c1 == '/' || c1 == '\\' ? 1 : 0;
    case '[': case '(': case '{': case '\\':
        return c1 == '.' || c1 == 'd' || c1 == 'D' || c1 == ':' ? 2 : 0;
    case 'x': case 'X': case '*':
        return (c1 == 'x' || c1 == 'X' || c1 == '*') && (c2 == 'p' || c2 == 'P') ? 2 : 0;
    case 'o': case 'O': /* " dot " in any case, found at its o */
        return i > s + 1 && (p[i - 1] | 0x20) == 'd' && p[i - 2] == ' ' && (c1 | 0x20) == 't' && c2 == ' ' ? 2 : 0;
    case 0xc2:
        return c1 == 0xad || c1 == 0xb7 ? 2 : 0;
    case 0xcd:
        return c1 == 0x8f ? 2 : 0;
    case 0xd8:
        return c1 == 0x9c ? 2 : 0;
    case 0xe1:
        return c1 == 0x85 || c1 == 0x9e || c1 == 0xa0 ? 2 : 0;
    case 0xe2:
        if (c1 == 0x80)
            return (c2 >= 0x8b && c2 <= 0x8f) || c2 == 0xa2 || c2 == 0xa4 || c2 == 0xa7 ||
                   (c2 >= 0xaa && c2 <= 0xae) ? 2 : 0;
        if (c1 == 0x81)
            return c2 >= 0xa0 && c2 <= 0xaf ? 2 : 0;
        /* symbols for a dot: ∙ ⋅ ● ⚫ ⦁ ⸱ */
        if ((c1 == 0x88 && c2 == 0x99) || (c1 == 0x8b && c2 == 0x85) || (c1 == 0x97 && c2 == 0x8f) ||
            (c1 == 0x9a && c2 == 0xab) || (c1 == 0xa6 && c2 == 0x81) || (c1 == 0xb8 && c2 == 0xb1))
            return 2;
        return c1 >= 0x91 && c1 <= 0x93 ? 2 : 0;
    case 0xe3:
        return (c1 == 0x80 && c2 == 0x82) || (c1 == 0x85 && c2 == 0xa4) ? 2 : 0;
    case 0xef:
        return c1 >= 0xb8 && c1 <= 0xbf ? 2 : 0;
    case 0xf0:
        return c1 == 0x9d || (c1 == 0x9f && c2 >= 0x84 && c2 <= 0x86) ||
               (c1 == 0x9f && c2 == 0x94 && c3 >= 0xb6 && c3 <= 0xb9) ? 2 : 0;
    }
    return 0;
}

/* Whether the line p[s:e] may hold a link: 0 no, 1 a hint, 2 something to de-obfuscate. */
static int line_match(const unsigned char *p, Py_ssize_t s, Py_ssize_t e) {
    int kept = 0;
    for (Py_ssize_t i = s; i < e; i++) {
        if (!START[p[i]]) continue;
        int m = match_at(p, s, i, e);
        if (m == 2) return 2;
        kept |= m;
    }
    return kept;
}

static PyObject *newlines_str(Py_ssize_t n) {
    PyObject *s = PyUnicode_New(n, 127);
    if (s != NULL) memset(PyUnicode_DATA(s), '\n', (size_t)n);
    return s;
}

static int append_steal(PyObject *list, PyObject *item) {
    if (item == NULL) return -1;
    int rc = PyList_Append(list, item);
    Py_DECREF(item);
    return rc;
}

PyDoc_STRVAR(select_lines_doc,
"select_lines(block, errors) -> (text, suspect, first_gap, first_at_start, newlines)\n\n"
"The lines of block that may hold a link, decoded with the given error handler and joined by\n"
"as many newlines as lie between them; suspect: (start, end) of those holding something to\n"
"de-obfuscate; first_gap: newlines before the first; first_at_start: it starts the block;\n"
"newlines: all in the block.");

static PyObject *select_lines(PyObject *self, PyObject *args) {
    Py_buffer view;
    const char *errors;
    if (!PyArg_ParseTuple(args, "y*s", &view, &errors)) return NULL;
    const unsigned char *p = (const unsigned char *)view.buf;
    const Py_ssize_t n = view.len;
    PyObject *pieces = PyList_New(0), *suspect = PyList_New(0), *result = NULL;
    if (pieces == NULL || suspect == NULL) goto done;

    Py_ssize_t line_index = 0, kept_index = -1, first_gap = 0, length = 0, start = 0;
    int first_at_start = 1;
    for (;;) {
        const unsigned char *nl = memchr(p + start, '\n', (size_t)(n - start));
        const Py_ssize_t end = nl != NULL ? nl - p : n;
        const int m = line_match(p, start, end);
        const int kept = m != 0, obfuscated = m == 2;
        if (kept) {
            if (kept_index < 0) {
                first_gap = line_index;
                first_at_start = start == 0;
            } else {
                Py_ssize_t gap = line_index - kept_index;
                if (append_steal(pieces, newlines_str(gap)) < 0) goto done;
                length += gap;
            }
            kept_index = line_index;
            PyObject *text = PyUnicode_DecodeUTF8((const char *)p + start, end - start, errors);
            if (text == NULL) goto done;
            Py_ssize_t chars = PyUnicode_GET_LENGTH(text);
            if (append_steal(pieces, text) < 0) goto done;
            if (obfuscated && append_steal(suspect, Py_BuildValue("(nn)", length, length + chars)) < 0)
                goto done;
            length += chars;
        }
        if (nl == NULL) break;
        start = end + 1;
        line_index++;
    }
    PyObject *empty = PyUnicode_New(0, 0);
    if (empty == NULL) goto done;
    PyObject *text = PyUnicode_Join(empty, pieces);
    Py_DECREF(empty);
    if (text == NULL) goto done;
    PyObject *spans = PyList_AsTuple(suspect);
    if (spans == NULL) { Py_DECREF(text); goto done; }
    result = Py_BuildValue("(NNnOn)", text, spans, first_gap, first_at_start ? Py_True : Py_False,
                           line_index);
done:
    Py_XDECREF(pieces);
    Py_XDECREF(suspect);
    PyBuffer_Release(&view);
    return result;
}

PyDoc_STRVAR(line_may_link_doc,
"line_may_link(text, /) -> bool\n--\n\n"
"Whether select_lines keeps the one line text (a str, written as UTF-8 with lone surrogates\n"
"passed), without decoding it again: a JSON string is tested for a link this way, by the\n"
"thousand in an export (linkguard.inputs.jsontree._no_link).");

static PyObject *line_may_link(PyObject *self, PyObject *text) {
    if (!PyUnicode_Check(text)) {
        PyErr_SetString(PyExc_TypeError, "text must be a str");
        return NULL;
    }
    if (PyUnicode_IS_ASCII(text)) /* its own UTF-8 */
        return PyBool_FromLong(line_match(PyUnicode_DATA(text), 0, PyUnicode_GET_LENGTH(text)));
    PyObject *utf8 = PyUnicode_AsEncodedString(text, "utf-8", "surrogatepass");
    if (utf8 == NULL) return NULL;
    int m = line_match((const unsigned char *)PyBytes_AS_STRING(utf8), 0, PyBytes_GET_SIZE(utf8));
    Py_DECREF(utf8);
    return PyBool_FromLong(m);
}

/* Where the literal whose characters start at p[i] closes: the index of its closing quote, or end
 * (end + 1 after a last backslash) when the text ends first. Only a backslash or a quote matters
 * inside a literal, and JSON pairs backslashes from the left: the character after one is escaped.
 * One byte a character: memchr for the quote, then for a backslash before it (each part of the
 * text is searched once for each, however many escapes there are). */
static Py_ssize_t literal_end_ucs1(const Py_UCS1 *p, Py_ssize_t i, Py_ssize_t end) {
    Py_ssize_t quote = -1;
    while (i < end) {
        if (quote < i) {
            const Py_UCS1 *q = memchr(p + i, '"', (size_t)(end - i));
            quote = q != NULL ? q - p : end;
        }
        const Py_UCS1 *b = memchr(p + i, '\\', (size_t)(quote - i));
        if (b == NULL) return quote;
        i = (b - p) + 2;
    }
    return i;
}

#define LITERAL_END(NAME, CHAR)                                                                 \
    static Py_ssize_t NAME(const CHAR *p, Py_ssize_t i, Py_ssize_t end) {                       \
        while (i < end) {                                                                       \
            Py_UCS4 c = p[i];                                                                   \
            if (c == '"') return i;                                                             \
            i += c == '\\' ? 2 : 1;                                                             \
        }                                                                                       \
        return i;                                                                               \
    }
LITERAL_END(literal_end_ucs4, Py_UCS4)
#ifdef HAVE_SSE2
LITERAL_END(literal_end_ucs2_tail, Py_UCS2)
/* Two bytes a character (a window of an export that holds one character outside Latin-1, as
 * most do): 8 characters at a time to the next quote or backslash, then as above. */
static Py_ssize_t literal_end_ucs2(const Py_UCS2 *p, Py_ssize_t i, Py_ssize_t end) {
    const __m128i quote = _mm_set1_epi16('"'), backslash = _mm_set1_epi16('\\');
    while (end - i >= 8) {
        __m128i v = _mm_loadu_si128((const __m128i *)(p + i));
        unsigned mask = (unsigned)_mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi16(v, quote), _mm_cmpeq_epi16(v, backslash)));
        if (!mask) {
            i += 8;
            continue;
        }
        i += __builtin_ctz(mask) / 2;
        if (p[i] == '"') return i;
        i += 2;
    }
    return literal_end_ucs2_tail(p, i, end);
}
#else
LITERAL_END(literal_end_ucs2, Py_UCS2)
#endif
#undef LITERAL_END

/* Counts a digit of a JSON number (1 when c is one): a run of 20 digits, or 19 after a minus sign,
 * is wider than orjson reads as json does, so literal_starts and the element search mark it wide. */
static inline int count_digit(Py_UCS4 c, Py_ssize_t *digits, int minus, int *wide) {
    if (c < '0' || c > '9') return 0;
    ++*digits;
    if (*digits >= 20 || (minus && *digits >= 19)) *wide = 1;
    return 1;
}

PyDoc_STRVAR(literal_starts_doc,
"literal_starts(text, start, end) -> (starts, wide, brackets)\n\n"
"Where the string literals of the JSON text text[start:end] open: the index in text of each\n"
"literal's opening quote, in document order (keys included). A backslash escapes the character\n"
"after it, as in JSON. Outside literals: wide, whether a run of 20 digits or a '-' and 19\n"
"digits occurs (an integer that may not fit 64 bits); brackets, how many '[' and '{' occur.");

static PyObject *literal_starts(PyObject *self, PyObject *args) {
    PyObject *text;
    Py_ssize_t start, end;
    if (!PyArg_ParseTuple(args, "Unn", &text, &start, &end)) return NULL;
    const Py_ssize_t length = PyUnicode_GET_LENGTH(text);
    if (start < 0) start = 0;
    if (end > length) end = length;
    const int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    PyObject *out = PyList_New(0);
    if (out == NULL) return NULL;
    int wide = 0, minus = 0;
    Py_ssize_t brackets = 0, digits = 0;
    /* one loop per storage width, so that each reads its characters directly; a literal is passed
     * by SKIP (the index of its closing quote, or end or past it when the text ends first) */
#define LITERAL_STARTS_LOOP(CHAR, SKIP)                                                         \
    for (Py_ssize_t i = start; i < end; i++) {                                                  \
        Py_UCS4 c = ((const CHAR *)data)[i];                                                    \
        if (c == '\\') {                                                                        \
            i++;                                                                                \
            digits = 0;                                                                         \
            minus = 0;                                                                          \
            continue;                                                                           \
        }                                                                                       \
        if (c == '"') {                                                                         \
            if (append_steal(out, PyLong_FromSsize_t(i)) < 0) {                                 \
                Py_DECREF(out);                                                                 \
                return NULL;                                                                    \
            }                                                                                   \
            i = SKIP((const CHAR *)data, i + 1, end);                                           \
            digits = 0;                                                                         \
            minus = 0;                                                                          \
            continue;                                                                           \
        }                                                                                       \
        if (count_digit(c, &digits, minus, &wide)) continue;                                    \
        minus = c == '-';                                                                       \
        digits = 0;                                                                             \
        if (c == '[' || c == '{') brackets++;                                                   \
    }
    if (kind == PyUnicode_1BYTE_KIND) {
        LITERAL_STARTS_LOOP(Py_UCS1, literal_end_ucs1)
    } else if (kind == PyUnicode_2BYTE_KIND) {
        LITERAL_STARTS_LOOP(Py_UCS2, literal_end_ucs2)
    } else {
        LITERAL_STARTS_LOOP(Py_UCS4, literal_end_ucs4)
    }
#undef LITERAL_STARTS_LOOP
    return Py_BuildValue("(NOn)", out, wide ? Py_True : Py_False, brackets);
}

PyDoc_STRVAR(count_newlines_doc,
"count_newlines(data, /)\n--\n\n"
"data.count(b'\\n'), at the speed of the vector unit: a loop without an early exit, which the\n"
"compiler vectorizes (bytes.count checks a limit at every match). Planning a large file's ranges\n"
"for scan --jobs counts every newline of the file in the one parent process.");

#define NEWLINES(NAME, CHAR)                                                                    \
    static Py_ssize_t NAME(const CHAR *p, Py_ssize_t start, Py_ssize_t end) {                   \
        Py_ssize_t count = 0;                                                                   \
        for (Py_ssize_t at = start; at < end; at += 1 << 16) { /* a slice's counter cannot overflow */ \
            Py_ssize_t stop = end - at < (1 << 16) ? end : at + (1 << 16);                      \
            unsigned int slice = 0;                                                             \
            for (Py_ssize_t i = at; i < stop; i++) slice += p[i] == '\n';                       \
            count += slice;                                                                     \
        }                                                                                       \
        return count;                                                                           \
    }
NEWLINES(newlines_ucs1, Py_UCS1)
NEWLINES(newlines_ucs2, Py_UCS2)
NEWLINES(newlines_ucs4, Py_UCS4)
#undef NEWLINES

static PyObject *count_newlines(PyObject *self, PyObject *arg) {
    Py_buffer view;
    if (PyObject_GetBuffer(arg, &view, PyBUF_SIMPLE) < 0) return NULL;
    Py_ssize_t count = newlines_ucs1(view.buf, 0, view.len);
    PyBuffer_Release(&view);
    return PyLong_FromSsize_t(count);
}

PyDoc_STRVAR(newlines_doc,
"newlines(text, start, end, /)\n--\n\n"
"text.count('\\n', start, end) for a str, at the speed of the vector unit (see count_newlines):\n"
"the line of every record of a JSON document is counted on from the one before, over all its text.");

static PyObject *newlines(PyObject *self, PyObject *args) {
    PyObject *text;
    Py_ssize_t start, end;
    if (!PyArg_ParseTuple(args, "Unn", &text, &start, &end)) return NULL;
    const Py_ssize_t length = PyUnicode_GET_LENGTH(text);
    /* slice indices as str.count reads them */
    if (start < 0 && (start += length) < 0) start = 0;
    if (end < 0 && (end += length) < 0) end = 0;
    if (end > length) end = length;
    if (start >= end) return PyLong_FromLong(0);
    const void *data = PyUnicode_DATA(text);
    switch (PyUnicode_KIND(text)) {
    case PyUnicode_1BYTE_KIND: return PyLong_FromSsize_t(newlines_ucs1(data, start, end));
    case PyUnicode_2BYTE_KIND: return PyLong_FromSsize_t(newlines_ucs2(data, start, end));
    default: return PyLong_FromSsize_t(newlines_ucs4(data, start, end));
    }
}

PyDoc_STRVAR(literal_places_doc,
"literal_places(text, starts, indices, offset, line, column0, /) -> (places, offset, line)\n--\n\n"
"linkguard.inputs.jsontree.Positions.at of each literal index in turn (None stays None), from the\n"
"line of text[offset], in one call: places as (line, column), and the offset and line after the\n"
"last. A post's text and links are placed at once. The C twin of\n"
"linkguard.inputs.jsontree._literal_places_py.");

static Py_ssize_t text_newlines(int kind, const void *data, Py_ssize_t start, Py_ssize_t end) {
    switch (kind) {
    case PyUnicode_1BYTE_KIND: return newlines_ucs1(data, start, end);
    case PyUnicode_2BYTE_KIND: return newlines_ucs2(data, start, end);
    default: return newlines_ucs4(data, start, end);
    }
}

/* (a, b) of two Py_ssize_t, a new reference. */
static PyObject *size_pair(Py_ssize_t a, Py_ssize_t b) {
    PyObject *out = PyTuple_New(2), *first = PyLong_FromSsize_t(a), *second = PyLong_FromSsize_t(b);
    if (out == NULL || first == NULL || second == NULL) {
        Py_XDECREF(out);
        Py_XDECREF(first);
        Py_XDECREF(second);
        return NULL;
    }
    PyTuple_SET_ITEM(out, 0, first);
    PyTuple_SET_ITEM(out, 1, second);
    return out;
}

/* A fast call: a post is placed once per post that shows a link, and parsing a format string
 * for its six arguments cost more than placing. */
static PyObject *literal_places(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
    if (nargs != 6 || !PyUnicode_Check(args[0]) || !PyList_Check(args[1]) || !PyList_Check(args[2])) {
        PyErr_SetString(PyExc_TypeError, "literal_places(text: str, starts: list, indices: list, int, int, int)");
        return NULL;
    }
    PyObject *text = args[0], *starts = args[1], *indices = args[2];
    Py_ssize_t offset, line, column0;
    if ((offset = PyLong_AsSsize_t(args[3])) == -1 && PyErr_Occurred()) return NULL;
    if ((line = PyLong_AsSsize_t(args[4])) == -1 && PyErr_Occurred()) return NULL;
    if ((column0 = PyLong_AsSsize_t(args[5])) == -1 && PyErr_Occurred()) return NULL;
    const Py_ssize_t length = PyUnicode_GET_LENGTH(text), count = PyList_GET_SIZE(starts);
    const int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    if (offset < 0 || offset > length) {
        PyErr_SetString(PyExc_ValueError, "offset out of the text");
        return NULL;
    }
    PyObject *places = PyList_New(PyList_GET_SIZE(indices));
    if (places == NULL) return NULL;
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(indices); i++) {
        PyObject *wanted = PyList_GET_ITEM(indices, i), *place;
        if (wanted == Py_None) {
            place = Py_NewRef(Py_None);
        } else {
            Py_ssize_t index = PyLong_AsSsize_t(wanted), start;
            if (index == -1 && PyErr_Occurred()) goto error;
            if (index < 0) {
                PyErr_SetString(PyExc_ValueError, "a literal index is never negative");
                goto error;
            }
            if (index >= count) {
                place = size_pair(line, 1);
            } else {
                start = PyLong_AsSsize_t(PyList_GET_ITEM(starts, index));
                if (start == -1 && PyErr_Occurred()) goto error;
                if (start < 0 || start > length) {
                    PyErr_SetString(PyExc_ValueError, "a literal starts out of the text");
                    goto error;
                }
                if (start < offset) line -= text_newlines(kind, data, start, offset);
                else line += text_newlines(kind, data, offset, start);
                offset = start;
                Py_ssize_t nl = PyUnicode_FindChar(text, '\n', 0, start, -1);
                if (nl == -2) goto error;
                place = size_pair(line, nl >= 0 ? start - nl + 1 : start + column0 + 1);
            }
        }
        if (place == NULL) goto error;
        PyList_SET_ITEM(places, i, place);
    }
    return Py_BuildValue("(Nnn)", places, offset, line); /* N: places is the tuple's, even on failure */
error:
    Py_DECREF(places);
    return NULL;
}

PyDoc_STRVAR(has_lone_surrogate_doc,
"has_lone_surrogate(*values) -> bool\n--\n\n"
"Whether a str among values (None and '' pass) holds a surrogate, which a str holds only unpaired\n"
"(JSON's \"\\ud800\"): no text encoding can write it. A str of one byte a character holds none and\n"
"is not read. The C twin of linkguard.scan._has_lone_surrogate_py; the scanner asks it of every\n"
"record with text.");

static PyObject *has_lone_surrogate(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
    for (Py_ssize_t k = 0; k < nargs; k++) {
        PyObject *v = args[k];
        if (!PyUnicode_Check(v)) {
            int truth = PyObject_IsTrue(v);
            if (truth < 0) return NULL;
            if (!truth) continue; /* None, as the Python twin passes it */
            PyErr_SetString(PyExc_TypeError, "has_lone_surrogate takes str or None");
            return NULL;
        }
        const Py_ssize_t n = PyUnicode_GET_LENGTH(v);
        const void *data = PyUnicode_DATA(v);
        switch (PyUnicode_KIND(v)) {
        case PyUnicode_1BYTE_KIND: break;
        case PyUnicode_2BYTE_KIND:
            for (Py_ssize_t i = 0; i < n; i++)
                if ((((const Py_UCS2 *)data)[i] & 0xF800) == 0xD800) Py_RETURN_TRUE;
            break;
        default:
            for (Py_ssize_t i = 0; i < n; i++)
                if ((((const Py_UCS4 *)data)[i] & 0xFFFFF800) == 0xD800) Py_RETURN_TRUE;
        }
    }
    Py_RETURN_FALSE;
}

/* --- Counting the literals of a parsed JSON value (linkguard.inputs.jsontree) ------------------
 * A parsed document holds str, dict, list and Pairs (a list subclass of (key, value) tuples, for
 * an object that wrote a key twice) containers and literals, and numbers, booleans and None.
 * Types are told apart exactly as the Python twins do: an exact dict, an exact list, and any other
 * list subclass is Pairs. */

static int is_pairs(PyObject *v) { return PyList_Check(v) && !PyList_CheckExact(v); }

static int is_container(PyObject *v) { return PyDict_CheckExact(v) || PyList_Check(v); }

/* The key and value of Pairs item i (a 2-tuple), borrowed; -1 with an exception when it is not. */
static int pair_at(PyObject *pairs, Py_ssize_t i, PyObject **key, PyObject **item) {
    PyObject *pair = PyList_GET_ITEM(pairs, i);
    if (!PyTuple_CheckExact(pair) || PyTuple_GET_SIZE(pair) != 2) {
        PyErr_SetString(PyExc_TypeError, "Pairs items must be (key, value) tuples");
        return -1;
    }
    *key = PyTuple_GET_ITEM(pair, 0);
    *item = PyTuple_GET_ITEM(pair, 1);
    return 0;
}

static Py_ssize_t count_literals(PyObject *v) {
    if (PyUnicode_CheckExact(v)) return 1;
    if (!is_container(v)) return 0;
    if (Py_EnterRecursiveCall(" while counting JSON literals")) return -1;
    Py_ssize_t n = 0;
    if (PyDict_CheckExact(v)) {
        Py_ssize_t pos = 0;
        PyObject *key, *item;
        while (PyDict_Next(v, &pos, &key, &item)) {
            Py_ssize_t k = count_literals(item);
            if (k < 0) { n = -1; break; }
            n += 1 + k;
        }
    } else {
        const int pairs = is_pairs(v);
        for (Py_ssize_t i = 0; i < PyList_GET_SIZE(v); i++) {
            PyObject *key, *item = PyList_GET_ITEM(v, i);
            if (pairs && pair_at(v, i, &key, &item) < 0) { n = -1; break; }
            Py_ssize_t k = count_literals(item);
            if (k < 0) { n = -1; break; }
            n += pairs + k;
        }
    }
    Py_LeaveRecursiveCall();
    return n;
}

PyDoc_STRVAR(literals_doc,
"literals(value, /) -> int\n--\n\n"
"How many string literals the parsed JSON value was written with (keys included): the C twin of\n"
"linkguard.inputs.jsontree._literals_py.");

static PyObject *literals(PyObject *self, PyObject *value) {
    Py_ssize_t n = count_literals(value);
    return n < 0 ? NULL : PyLong_FromSsize_t(n);
}

/* path + (key,), a new reference. */
static PyObject *path_with(PyObject *path, PyObject *key) {
    const Py_ssize_t n = PyTuple_GET_SIZE(path);
    PyObject *out = PyTuple_New(n + 1);
    if (out == NULL) return NULL;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *part = PyTuple_GET_ITEM(path, i);
        Py_INCREF(part);
        PyTuple_SET_ITEM(out, i, part);
    }
    Py_INCREF(key);
    PyTuple_SET_ITEM(out, n, key);
    return out;
}

static Py_ssize_t locate_value(PyObject *v, PyObject *path, PyObject *at, Py_ssize_t index);

/* str(i) of the first list indices, made once: a post's lists are short, and formatting each
 * index anew cost most of placing its strings. */
#define INDEX_KEYS 64
static PyObject *INDEX_KEY[INDEX_KEYS];

/* str(i), a new reference. */
static PyObject *index_key(Py_ssize_t i) {
    if (i >= INDEX_KEYS) return PyUnicode_FromFormat("%zd", i);
    if (INDEX_KEY[i] == NULL && (INDEX_KEY[i] = PyUnicode_FromFormat("%zd", i)) == NULL) return NULL;
    Py_INCREF(INDEX_KEY[i]);
    return INDEX_KEY[i];
}

/* The string at path is literal index (at[path] = index); -1 on error. */
static int place(PyObject *at, PyObject *path, PyObject *key, Py_ssize_t index) {
    PyObject *where = path_with(path, key);
    if (where == NULL) return -1;
    PyObject *number = PyLong_FromSsize_t(index);
    int rc = number == NULL ? -1 : PyDict_SetItem(at, where, number);
    Py_DECREF(where);
    Py_XDECREF(number);
    return rc;
}

/* One member (key or list index) of a container: where its strings are, from literal index on. */
static Py_ssize_t locate_member(PyObject *item, PyObject *path, PyObject *key, PyObject *at, Py_ssize_t index) {
    if (PyUnicode_CheckExact(item)) return place(at, path, key, index) < 0 ? -1 : index + 1;
    if (!is_container(item)) return index;
    PyObject *where = path_with(path, key);
    if (where == NULL) return -1;
    index = locate_value(item, where, at, index);
    Py_DECREF(where);
    return index;
}

static Py_ssize_t locate_value(PyObject *v, PyObject *path, PyObject *at, Py_ssize_t index) {
    if (!is_container(v)) return index; /* strings are placed by their container (or locate) */
    if (Py_EnterRecursiveCall(" while locating JSON literals")) return -1;
    if (PyDict_CheckExact(v)) {
        Py_ssize_t pos = 0;
        PyObject *key, *item;
        while (index >= 0 && PyDict_Next(v, &pos, &key, &item))
            index = locate_member(item, path, key, at, index + 1);
    } else if (is_pairs(v)) {
        for (Py_ssize_t i = 0; index >= 0 && i < PyList_GET_SIZE(v); i++) {
            PyObject *key, *item;
            index = pair_at(v, i, &key, &item) < 0 ? -1 : locate_member(item, path, key, at, index + 1);
        }
    } else {
        for (Py_ssize_t i = 0; index >= 0 && i < PyList_GET_SIZE(v); i++) {
            PyObject *item = PyList_GET_ITEM(v, i);
            if (!PyUnicode_CheckExact(item) && !is_container(item)) continue;
            PyObject *key = index_key(i);
            if (key == NULL) { index = -1; break; }
            index = locate_member(item, path, key, at, index);
            Py_DECREF(key);
        }
    }
    Py_LeaveRecursiveCall();
    return index;
}

PyDoc_STRVAR(locate_doc,
"locate(value, path, at, index, /) -> int\n--\n\n"
"Remember in the dict at which literal each string of the parsed JSON value is (at[path of the\n"
"string] = its index), counting from literal index; the index after the value's last literal.\n"
"The C twin of linkguard.inputs.jsontree._locate_py.");

static PyObject *locate(PyObject *self, PyObject *args) {
    PyObject *value, *path, *at;
    Py_ssize_t index;
    if (!PyArg_ParseTuple(args, "OO!O!n", &value, &PyTuple_Type, &path, &PyDict_Type, &at, &index)) return NULL;
    if (PyUnicode_CheckExact(value)) { /* a bare string: at[path] = index */
        PyObject *number = PyLong_FromSsize_t(index);
        if (number == NULL) return NULL;
        int rc = PyDict_SetItem(at, path, number);
        Py_DECREF(number);
        return rc < 0 ? NULL : PyLong_FromSsize_t(index + 1);
    }
    index = locate_value(value, path, at, index);
    return index < 0 ? NULL : PyLong_FromSsize_t(index);
}

PyDoc_STRVAR(split_run_doc,
"split_run(members, cursor, index, path, own, skip, at, /) -> (cursor, index, key, item)\n--\n\n"
"A post's members (a dict or Pairs) from cursor on, as linkguard.inputs.jsontree.Walker.split_post\n"
"reads them, up to the next one it must walk in Python: an own member's strings are located into\n"
"at (see locate), a skip member's literals are passed, a number, boolean or null is passed. key\n"
"and item are that next member (None at the end); index is the literal after its key; cursor\n"
"continues after it. The C twin of linkguard.inputs.jsontree._split_run_py (whose cursor is an\n"
"ordinal; this one's, for a dict, is PyDict_Next's: pass back only what was returned).");

static PyObject *split_run(PyObject *self, PyObject *args) {
    PyObject *members, *path, *own, *skip, *at;
    Py_ssize_t cursor, index;
    if (!PyArg_ParseTuple(args, "OnnO!OOO!", &members, &cursor, &index, &PyTuple_Type, &path, &own, &skip,
                          &PyDict_Type, &at))
        return NULL;
    const int is_dict = PyDict_CheckExact(members);
    if (!is_dict && !is_pairs(members)) {
        PyErr_SetString(PyExc_TypeError, "members must be a dict or Pairs");
        return NULL;
    }
    PyObject *key, *item;
    for (;;) {
        if (is_dict) {
            if (!PyDict_Next(members, &cursor, &key, &item)) break;
        } else {
            if (cursor >= PyList_GET_SIZE(members)) break;
            if (pair_at(members, cursor++, &key, &item) < 0) return NULL;
        }
        index++; /* the key literal */
        int found = PySequence_Contains(own, key);
        if (found < 0) return NULL;
        if (found) {
            index = locate_member(item, path, key, at, index);
            if (index < 0) return NULL;
            continue;
        }
        if (!PyUnicode_CheckExact(item) && !is_container(item)) continue; /* no literal, no link */
        found = PySequence_Contains(skip, key);
        if (found < 0) return NULL;
        if (!found) return Py_BuildValue("(nnOO)", cursor, index, key, item);
        Py_ssize_t n = count_literals(item);
        if (n < 0) return NULL;
        index += n;
    }
    return Py_BuildValue("(nnOO)", cursor, index, Py_None, Py_None);
}

PyDoc_STRVAR(value_end_doc,
"value_end(text, start, /) -> int\n--\n\n"
"Where the JSON array or object opening at text[start] closes: the index after its closing\n"
"bracket, matched by depth outside string literals (a backslash escapes the character after it);\n"
"-1 when text ends first. Whether what lies between is JSON is the parser's to say. The C twin of\n"
"linkguard.inputs.jsondump._value_end_py.");

static PyObject *value_end(PyObject *self, PyObject *args) {
    PyObject *text;
    Py_ssize_t start;
    if (!PyArg_ParseTuple(args, "Un", &text, &start)) return NULL;
    const Py_ssize_t length = PyUnicode_GET_LENGTH(text);
    const int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    if (start < 0 || start >= length) return PyLong_FromLong(-1);
    Py_UCS4 first = PyUnicode_READ(kind, data, start);
    if (first != '[' && first != '{') return PyLong_FromLong(-1);
    Py_ssize_t depth = 0;
    int inside = 0;
#define VALUE_END_LOOP(CHAR)                                            \
    for (Py_ssize_t i = start; i < length; i++) {                       \
        Py_UCS4 c = ((const CHAR *)data)[i];                            \
        if (inside) {                                                   \
            if (c == '\\') i++;                                         \
            else if (c == '"') inside = 0;                              \
        } else if (c == '"') {                                          \
            inside = 1;                                                 \
        } else if (c == '[' || c == '{') {                              \
            depth++;                                                    \
        } else if (c == ']' || c == '}') {                              \
            if (--depth == 0) return PyLong_FromSsize_t(i + 1);         \
        }                                                               \
    }
    if (kind == PyUnicode_1BYTE_KIND) {
        VALUE_END_LOOP(Py_UCS1)
    } else if (kind == PyUnicode_2BYTE_KIND) {
        VALUE_END_LOOP(Py_UCS2)
    } else {
        VALUE_END_LOOP(Py_UCS4)
    }
#undef VALUE_END_LOOP
    return PyLong_FromLong(-1);
}

/* The array or object opening at p[i]: the index after its closing bracket, matched by depth
 * outside literals as value_end matches it, with its literals counted and wide and brackets as
 * literal_starts finds them; -1 when the text ends first, or at a backslash outside a literal
 * (where the two searches part: not JSON, which the parser is left to say). */
#define ELEMENT_END(NAME, CHAR, SKIP)                                                           \
    static Py_ssize_t NAME(const CHAR *p, Py_ssize_t i, Py_ssize_t n, Py_ssize_t *count,       \
                           int *wide, Py_ssize_t *brackets) {                                   \
        Py_ssize_t depth = 0, digits = 0;                                                       \
        int minus = 0;                                                                          \
        for (; i < n; i++) {                                                                    \
            Py_UCS4 c = p[i];                                                                   \
            if (c == '"') {                                                                     \
                ++*count;                                                                       \
                i = SKIP(p, i + 1, n);                                                          \
                digits = 0;                                                                     \
                minus = 0;                                                                      \
                continue;                                                                       \
            }                                                                                   \
            if (count_digit(c, &digits, minus, wide)) continue;                                 \
            if (c == '\\') return -1;                                                           \
            minus = c == '-';                                                                   \
            digits = 0;                                                                         \
            if (c == '[' || c == '{') {                                                         \
                depth++;                                                                        \
                ++*brackets;                                                                    \
            } else if ((c == ']' || c == '}') && --depth == 0) {                                \
                return i + 1;                                                                   \
            }                                                                                   \
        }                                                                                       \
        return -1;                                                                              \
    }
ELEMENT_END(element_end_ucs1, Py_UCS1, literal_end_ucs1)
ELEMENT_END(element_end_ucs2, Py_UCS2, literal_end_ucs2)
ELEMENT_END(element_end_ucs4, Py_UCS4, literal_end_ucs4)
#undef ELEMENT_END

static inline int json_space(Py_UCS4 c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

PyDoc_STRVAR(array_spans_doc,
"array_spans(text, at, first, eof, deep, /) -> spans\n--\n\n"
"The run of array elements from text[at] on that can be parsed one by one by orjson as json\n"
"parses them: each an array or object the text holds whole (ending before the end of text\n"
"unless eof), without a wide integer or more than deep brackets (see literal_starts), after a\n"
"comma unless first: (start, end, literals) of each, literals being how many literal_starts\n"
"finds in it. The run stops at anything else, which the caller reads. The C twin of\n"
"linkguard.inputs.jsondump._array_spans_py.");

/* The next element of the run array_spans reads, from *i on: its end (with *i on its start and
 * *count its literals), or -1 where the run stops (see array_spans). */
static Py_ssize_t next_element(int kind, const void *data, Py_ssize_t n, Py_ssize_t *at, int first, int eof,
                               Py_ssize_t deep, Py_ssize_t *count) {
    Py_ssize_t i = *at;
    while (i < n && json_space(PyUnicode_READ(kind, data, i))) i++;
    if (!first) {
        if (i >= n || PyUnicode_READ(kind, data, i) != ',') return -1;
        for (i++; i < n && json_space(PyUnicode_READ(kind, data, i)); i++) {}
    }
    if (i >= n) return -1;
    Py_UCS4 c = PyUnicode_READ(kind, data, i);
    if (c != '[' && c != '{') return -1;
    Py_ssize_t brackets = 0, end;
    int wide = 0;
    *count = 0;
    if (kind == PyUnicode_1BYTE_KIND)
        end = element_end_ucs1((const Py_UCS1 *)data, i, n, count, &wide, &brackets);
    else if (kind == PyUnicode_2BYTE_KIND)
        end = element_end_ucs2((const Py_UCS2 *)data, i, n, count, &wide, &brackets);
    else
        end = element_end_ucs4((const Py_UCS4 *)data, i, n, count, &wide, &brackets);
    if (end < 0 || (end == n && !eof) || wide || brackets > deep) return -1;
    *at = i;
    return end;
}

static PyObject *array_spans(PyObject *self, PyObject *args) {
    PyObject *text;
    Py_ssize_t at, deep;
    int first, eof;
    if (!PyArg_ParseTuple(args, "Unppn", &text, &at, &first, &eof, &deep)) return NULL;
    const Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    const int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    PyObject *spans = PyList_New(0);
    if (spans == NULL) return NULL;
    Py_ssize_t i = at < 0 ? 0 : at, end, count;
    for (; (end = next_element(kind, data, n, &i, first, eof, deep, &count)) >= 0; i = end, first = 0) {
        if (append_steal(spans, Py_BuildValue("(nnn)", i, end, count)) < 0) {
            Py_DECREF(spans);
            return NULL;
        }
    }
    return spans;
}

PyDoc_STRVAR(deletion_hits_doc,
"deletion_hits(key, index, /)\n--\n\n"
"The strings one deletion or none away from key that are keys of the dict index, each once: what\n"
"linkguard.lookalike.index.deletes(key, 1) & index.keys() gives, without building the variants as\n"
"a set first (a SymSpell lookup of every never-seen domain spent most of its time there).");

/* Deleting key[i] or key[i + 1] gives the same string when the two are equal, and only then: so
   skipping i when key[i] == key[i + 1] lists each variant once. */
static PyObject *deletion_hits(PyObject *self, PyObject *args) {
    PyObject *key, *index;
    if (!PyArg_ParseTuple(args, "UO!:deletion_hits", &key, &PyDict_Type, &index)) return NULL;
    Py_ssize_t n = PyUnicode_GET_LENGTH(key);
    int kind = PyUnicode_KIND(key);
    const void *data = PyUnicode_DATA(key);
    int ascii = PyUnicode_IS_ASCII(key);
    PyObject *out = PyList_New(0);
    if (out == NULL) return NULL;
    int found = PyDict_Contains(index, key);
    if (found < 0 || (found && PyList_Append(out, key) < 0)) goto fail;
    for (Py_ssize_t i = 0; i < n; i++) {
        if (i + 1 < n && PyUnicode_READ(kind, data, i) == PyUnicode_READ(kind, data, i + 1)) continue;
        PyObject *variant;
        if (ascii) { /* the common case: copy the bytes around the deleted one */
            variant = PyUnicode_New(n - 1, 127);
            if (variant == NULL) goto fail;
            Py_UCS1 *to = PyUnicode_1BYTE_DATA(variant);
            memcpy(to, data, (size_t)i);
            memcpy(to + i, (const Py_UCS1 *)data + i + 1, (size_t)(n - i - 1));
        } else { /* substrings keep the canonical (narrowest) representation dict lookups need */
            PyObject *head = PyUnicode_Substring(key, 0, i);
            PyObject *tail = head ? PyUnicode_Substring(key, i + 1, n) : NULL;
            variant = tail ? PyUnicode_Concat(head, tail) : NULL;
            Py_XDECREF(head);
            Py_XDECREF(tail);
            if (variant == NULL) goto fail;
        }
        found = PyDict_Contains(index, variant);
        if (found < 0 || (found && PyList_Append(out, variant) < 0)) {
            Py_DECREF(variant);
            goto fail;
        }
        Py_DECREF(variant);
    }
    return out;
fail:
    Py_DECREF(out);
    return NULL;
}

/* ---- Names: a read-only map of many names to numbers (the popular-domain list) ------------- */

typedef struct {
    uint32_t hash; /* the name's hash (its low bits), so that most other names are told apart unread */
    int32_t pos;   /* the name's position, -1 where the slot is empty */
} NameSlot;

typedef struct {
    PyObject_HEAD
    char *blob;          /* the names in UTF-8, each followed by a newline */
    Py_ssize_t *starts;  /* where each name starts in blob; starts[count] is the end */
    uint32_t *values;
    NameSlot *slots;     /* open addressing by hash */
    size_t mask;
    Py_ssize_t count;
} NamesObject;

static uint64_t fnv1a(const char *p, Py_ssize_t n) {
    uint64_t h = 1469598103934665603ULL;
    for (Py_ssize_t i = 0; i < n; i++) h = (h ^ (unsigned char)p[i]) * 1099511628211ULL;
    return h ^ (h >> 29);
}

/* The slot of the name spelt p[:n] with hash h: where it is, else the empty slot where it goes. */
static NameSlot *names_slot(NamesObject *t, const char *p, Py_ssize_t n, uint64_t h) {
    for (size_t at = (size_t)h & t->mask;; at = (at + 1) & t->mask) {
        NameSlot *slot = &t->slots[at];
        if (slot->pos < 0) return slot;
        if (slot->hash != (uint32_t)h) continue;
        Py_ssize_t start = t->starts[slot->pos], len = t->starts[slot->pos + 1] - start - 1;
        if (len == n && memcmp(t->blob + start, p, (size_t)n) == 0) return slot;
    }
}

/* The position of the name spelt p[:n], or -1. */
static Py_ssize_t names_find(NamesObject *t, const char *p, Py_ssize_t n) {
    return names_slot(t, p, n, fnv1a(p, n))->pos;
}

/* The position of a key, -1 when absent or not a str (as a dict that holds only str keys finds
   nothing else), -2 with an exception set. */
static Py_ssize_t names_position(NamesObject *t, PyObject *key) {
    if (!PyUnicode_Check(key)) {
        if (PyObject_Hash(key) == -1) return -2; /* unhashable: the TypeError a dict raises */
        return -1;
    }
    Py_ssize_t n;
    const char *p = PyUnicode_AsUTF8AndSize(key, &n);
    if (p == NULL) { /* lone surrogates: no name holds them */
        if (!PyErr_ExceptionMatches(PyExc_UnicodeEncodeError)) return -2;
        PyErr_Clear();
        return -1;
    }
    return names_find(t, p, n);
}

static void names_dealloc(NamesObject *t) {
    PyMem_Free(t->blob);
    PyMem_Free(t->starts);
    PyMem_Free(t->values);
    PyMem_Free(t->slots);
    Py_TYPE(t)->tp_free((PyObject *)t);
}

static PyObject *names_new(PyTypeObject *type, PyObject *args, PyObject *kwds) {
    PyObject *text;
    Py_buffer numbers;
    if (kwds != NULL && PyDict_GET_SIZE(kwds)) {
        PyErr_SetString(PyExc_TypeError, "Names takes no keyword arguments");
        return NULL;
    }
    if (!PyArg_ParseTuple(args, "Uy*:Names", &text, &numbers)) return NULL;
    NamesObject *t = (NamesObject *)type->tp_alloc(type, 0);
    if (t == NULL) goto fail_buffer;
    Py_ssize_t size;
    const char *utf8 = PyUnicode_AsUTF8AndSize(text, &size);
    if (utf8 == NULL) goto fail;
    Py_ssize_t count = 0;
    if (size > 0) {
        count = 1;
        for (const char *c = memchr(utf8, '\n', (size_t)size); c; c = memchr(c + 1, '\n', (size_t)(utf8 + size - c - 1)))
            count++;
    }
    if (numbers.len != count * (Py_ssize_t)sizeof(uint32_t) || count > INT32_MAX / 2) {
        PyErr_SetString(PyExc_ValueError, "Names: one 32-bit number per name");
        goto fail;
    }
    size_t slots = 8;
    while (slots < 2 * (size_t)count) slots <<= 1;
    t->blob = PyMem_Malloc((size_t)size + 1);
    t->starts = PyMem_Malloc(((size_t)count + 1) * sizeof(Py_ssize_t));
    t->values = PyMem_Malloc((size_t)count * sizeof(uint32_t) + 1);
    t->slots = PyMem_Malloc(slots * sizeof(NameSlot));
    if (!t->blob || !t->starts || !t->values || !t->slots) {
        PyErr_NoMemory();
        goto fail;
    }
    memcpy(t->blob, utf8, (size_t)size);
    t->blob[size] = '\n';
    memcpy(t->values, numbers.buf, (size_t)numbers.len);
    memset(t->slots, 0xff, slots * sizeof(NameSlot));
    t->mask = slots - 1;
    Py_ssize_t start = 0;
    for (Py_ssize_t pos = 0; pos < count; pos++) {
        const char *end = memchr(t->blob + start, '\n', (size_t)(size + 1 - start));
        Py_ssize_t len = end - (t->blob + start);
        t->starts[pos] = start;
        t->starts[pos + 1] = start + len + 1; /* read by names_slot for the names placed so far */
        uint64_t h = fnv1a(t->blob + start, len);
        NameSlot *slot = names_slot(t, t->blob + start, len, h);
        if (slot->pos >= 0) {
            PyErr_SetString(PyExc_ValueError, "Names: a name is listed twice");
            goto fail;
        }
        slot->hash = (uint32_t)h;
        slot->pos = (int32_t)pos;
        t->count = pos + 1;
        start += len + 1;
    }
    PyBuffer_Release(&numbers);
    return (PyObject *)t;
fail:
    Py_XDECREF(t);
fail_buffer:
    PyBuffer_Release(&numbers);
    return NULL;
}

static Py_ssize_t names_len(NamesObject *t) { return t->count; }

static int names_contains(NamesObject *t, PyObject *key) {
    Py_ssize_t pos = names_position(t, key);
    return pos == -2 ? -1 : pos >= 0;
}

static PyObject *names_subscript(NamesObject *t, PyObject *key) {
    Py_ssize_t pos = names_position(t, key);
    if (pos == -2) return NULL;
    if (pos < 0) {
        PyErr_SetObject(PyExc_KeyError, key);
        return NULL;
    }
    return PyLong_FromUnsignedLong(t->values[pos]);
}

static PyObject *names_get(NamesObject *t, PyObject *const *args, Py_ssize_t nargs) {
    if (nargs < 1 || nargs > 2) {
        PyErr_SetString(PyExc_TypeError, "get expected 1 or 2 arguments");
        return NULL;
    }
    Py_ssize_t pos = names_position(t, args[0]);
    if (pos == -2) return NULL;
    if (pos >= 0) return PyLong_FromUnsignedLong(t->values[pos]);
    PyObject *fallback = nargs == 2 ? args[1] : Py_None;
    return Py_NewRef(fallback);
}

static PyObject *names_name(NamesObject *t, PyObject *arg) {
    Py_ssize_t pos = PyLong_AsSsize_t(arg);
    if (pos == -1 && PyErr_Occurred()) return NULL;
    if (pos < 0) pos += t->count;
    if (pos < 0 || pos >= t->count) {
        PyErr_SetString(PyExc_IndexError, "Names.name: position out of range");
        return NULL;
    }
    Py_ssize_t start = t->starts[pos];
    return PyUnicode_DecodeUTF8(t->blob + start, t->starts[pos + 1] - start - 1, "strict");
}

static PyObject *names_iter(NamesObject *t) {
    /* the names in order, made as they come: a range mapped by name() */
    PyObject *name = PyObject_GetAttrString((PyObject *)t, "name");
    if (name == NULL) return NULL;
    PyObject *range = PyObject_CallFunction((PyObject *)&PyRange_Type, "n", t->count);
    PyObject *mapped = range ? PyObject_CallFunctionObjArgs((PyObject *)&PyMap_Type, name, range, NULL) : NULL;
    Py_DECREF(name);
    Py_XDECREF(range);
    if (mapped == NULL) return NULL;
    PyObject *it = PyObject_GetIter(mapped);
    Py_DECREF(mapped);
    return it;
}

static PyMethodDef names_methods[] = {
    {"get", (PyCFunction)(void (*)(void))names_get, METH_FASTCALL,
     "get(name, default=None, /)\n--\n\nThe number of name, else default."},
    {"name", (PyCFunction)names_name, METH_O, "name(position, /)\n--\n\nThe name at a position (0: the first)."},
    {NULL, NULL, 0, NULL},
};

static PySequenceMethods names_as_sequence = {.sq_contains = (objobjproc)names_contains};
static PyMappingMethods names_as_mapping = {
    .mp_length = (lenfunc)names_len,
    .mp_subscript = (binaryfunc)names_subscript,
};

PyDoc_STRVAR(names_doc,
"Names(text, numbers, /)\n--\n\n"
"A read-only map of the names in text (joined by newlines) to the 32-bit numbers in numbers (one\n"
"each, in order), iterated in that order: what dict(zip(text.split('\\n'), array('I', numbers)))\n"
"holds for text without a name listed twice (a ValueError), in one block of memory. Built from\n"
"the popular-domain list of the cached lookalike index in a sixth of the instructions the dicts of\n"
"~100k names took (~60 ms of start-up); every scan --jobs worker inherits it built.");

static PyTypeObject NamesType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "linkguard._blocks.Names",
    .tp_basicsize = sizeof(NamesObject),
    .tp_dealloc = (destructor)names_dealloc,
    .tp_as_sequence = &names_as_sequence,
    .tp_as_mapping = &names_as_mapping,
    .tp_iter = (getiterfunc)names_iter,
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE,
    .tp_doc = names_doc,
    .tp_methods = names_methods,
    .tp_new = names_new,
};

/* ---- JSON array element boundaries (scan --jobs on a large JSON array) -------------------- */

PyDoc_STRVAR(json_boundary_doc,
"json_boundary(data, start, depth, flags, want, /)\n--\n\n"
"Reads data[start:] as the continuation of a JSON text whose nesting depth and string state\n"
"(flags: 1 inside a string, 2 after its backslash) were depth and flags before it. Returns\n"
"(at, depth, flags, deepest, commas): at is the index of the first comma at depth 1 outside\n"
"strings at or after index want (a boundary between two elements of a top-level array), the state\n"
"after it, the greatest depth seen on the way and how many such commas came before it; (-1, ...)\n"
"with the state at the end when there is none. Brackets inside strings and escaped quotes are no boundaries; malformed text is not\n"
"judged here (the depth may go below zero), the parser that reads the elements judges it.");

#ifdef HAVE_SSE2
#define JSON_BLOCK 64

/* Which of the 64 bytes at p are a quote, a backslash, a bracket or comma: one bit each. */
static inline void json_masks(const unsigned char *p, uint64_t *quotes, uint64_t *backslashes, uint64_t *marks) {
    const __m128i quote = _mm_set1_epi8('"'), backslash = _mm_set1_epi8('\\'), comma = _mm_set1_epi8(',');
    const __m128i open1 = _mm_set1_epi8('['), close1 = _mm_set1_epi8(']');
    const __m128i open2 = _mm_set1_epi8('{'), close2 = _mm_set1_epi8('}');
    uint64_t q = 0, b = 0, m = 0;
    for (int k = 0; k < JSON_BLOCK; k += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(p + k));
        __m128i brackets = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, open1), _mm_cmpeq_epi8(v, close1)),
                                        _mm_or_si128(_mm_cmpeq_epi8(v, open2), _mm_cmpeq_epi8(v, close2)));
        q |= (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, quote)) << k;
        b |= (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, backslash)) << k;
        m |= (uint64_t)(unsigned)_mm_movemask_epi8(_mm_or_si128(brackets, _mm_cmpeq_epi8(v, comma))) << k;
    }
    *quotes = q, *backslashes = b, *marks = m;
}

/* Bit k: an odd number of the bits 0..k are set (after byte k of a block without escapes, inside
 * a string, given that the block starts outside one). */
static inline uint64_t prefix_xor(uint64_t x) {
    x ^= x << 1;
    x ^= x << 2;
    x ^= x << 4;
    x ^= x << 8;
    x ^= x << 16;
    x ^= x << 32;
    return x;
}
#endif

static PyObject *json_boundary(PyObject *self, PyObject *args) {
    Py_buffer view;
    Py_ssize_t start, depth, want;
    int flags;
    if (!PyArg_ParseTuple(args, "y*nnin", &view, &start, &depth, &flags, &want)) return NULL;
    const unsigned char *p = view.buf;
    Py_ssize_t n = view.len, at = -1, deepest = depth, commas = 0;
    int in_string = flags & 1, escaped = (flags & 2) != 0;
    Py_ssize_t i = start < 0 ? 0 : start;
    while (i < n && at < 0) {
        Py_ssize_t stop = n;
#ifdef JSON_BLOCK
        /* 64 bytes at a time, where no backslash is among them (most of a tweets.js): the
         * strings are where an odd number of quotes came before, and only the brackets and
         * commas outside them are visited: the planning parent of scan --jobs passes a
         * tweets.js in a third of the time. A block with a backslash is read byte by byte
         * below, as every block was before (a property test holds the two alike). */
        if (n - i >= JSON_BLOCK) {
            uint64_t quotes, backslashes, marks;
            json_masks(p + i, &quotes, &backslashes, &marks);
            if (!escaped && !backslashes) {
                uint64_t inside = prefix_xor(quotes) ^ (in_string ? ~(uint64_t)0 : 0);
                for (uint64_t outside = marks & ~inside; outside; outside &= outside - 1) {
                    Py_ssize_t k = i + __builtin_ctzll(outside);
                    unsigned char c = p[k];
                    if (c == '[' || c == '{') {
                        if (++depth > deepest) deepest = depth;
                    } else if (c != ',') {
                        depth--;
                    } else if (depth == 1) {
                        if (k >= want) {
                            at = k;
                            break;
                        }
                        commas++;
                    }
                }
                if (at >= 0) {
                    in_string = 0; /* a comma outside a string */
                    break;
                }
                in_string = (int)(inside >> 63);
                i += JSON_BLOCK;
                continue;
            }
            stop = i + JSON_BLOCK;
        }
#endif
        for (; i < stop; i++) {
            unsigned char c = p[i];
            if (in_string) {
                if (escaped) {
                    escaped = 0;
                    continue;
                }
                /* the rest of the string in one pass: only a backslash or a quote changes the state */
                while (i < stop && p[i] != '"' && p[i] != '\\') i++;
                if (i == stop) break;
                if (p[i] == '\\') escaped = 1;
                else in_string = 0;
                continue;
            }
            switch (c) {
            case '"':
                in_string = 1;
                break;
            case '[':
            case '{':
                if (++depth > deepest) deepest = depth;
                break;
            case ']':
            case '}':
                depth--;
                break;
            case ',':
                if (depth == 1) {
                    if (i >= want) at = i;
                    else commas++;
                }
                break;
            default:
                break;
            }
            if (at >= 0) break;
        }
    }
    PyBuffer_Release(&view);
    return Py_BuildValue("(nninn)", at, depth, in_string | (escaped ? 2 : 0), deepest, commas);
}

/* A strict reading of JSON, for tweet_quiet: what it accepts, json and orjson read alike (no NaN,
 * no number too long for int(), no control character in a literal, nesting kept shallow), and
 * it refuses what the walk would read otherwise (an object writing a key twice, or a key with an
 * escape, whose spelling it would have to decode to compare). Refused is never wrong: the value
 * is then parsed and read as before. */
typedef struct {
    int kind;
    const void *data;
    Py_ssize_t n;
    PyObject *quiet_full, *quiet_text; /* twitter._QUIET_KEYS, for STRICT_POST */
} Strict;

/* How strict_object reads an object: as any value; as the post, stopping (refused) at a member
 * that shows it is not quiet, whatever the rest holds (a member the read walks, or an entities
 * object with a link list); as such an entities object, stopping at a non-empty urls or media
 * list. A post with a link is told from its first bytes instead of read to the end, and a
 * refusal is what tweet_quiet would say of it anyway. */
enum { STRICT_ANY, STRICT_POST, STRICT_ENTITIES };

/* One member of an object: where its key's characters are, and its value. */
typedef struct {
    Py_ssize_t key, key_len, value, value_end;
} Member;

#define STRICT_DEPTH 32
#define STRICT_MEMBERS 64
#define STRICT_NUMBER 256
#define SCH(s, i) PyUnicode_READ((s)->kind, (s)->data, (i))

static Py_ssize_t strict_space(const Strict *s, Py_ssize_t i) {
    if (s->kind == PyUnicode_1BYTE_KIND) { /* most text: read in place, not through the width switch */
        const Py_UCS1 *p = s->data;
        while (i < s->n && json_space(p[i])) i++;
        return i;
    }
    if (s->kind == PyUnicode_2BYTE_KIND) { /* an export's window with a character past Latin-1 */
        const Py_UCS2 *p = s->data;
        while (i < s->n && json_space(p[i])) i++;
        return i;
    }
    while (i < s->n && json_space(SCH(s, i))) i++;
    return i;
}

static int hex_digit(Py_UCS4 c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

/* The first quote, backslash or control character from p[i] on (n if none): a literal's plain
 * run, read at its storage width. */
#define PLAIN_RUN(NAME, CHAR)                                                                   \
    static Py_ssize_t NAME(const CHAR *p, Py_ssize_t i, Py_ssize_t n) {                         \
        while (i < n && p[i] != '"' && p[i] != '\\' && p[i] >= 0x20) i++;                       \
        return i;                                                                               \
    }
PLAIN_RUN(plain_run_ucs2_tail, Py_UCS2)
PLAIN_RUN(plain_run_ucs4, Py_UCS4)
#undef PLAIN_RUN

static Py_ssize_t plain_run_ucs1_tail(const Py_UCS1 *p, Py_ssize_t i, Py_ssize_t n) {
    while (i < n && !RUN_STOP[p[i]]) i++;
    return i;
}

#ifdef HAVE_SSE2
/* The plain runs 16 bytes at a time (the literals are most of a post's text): a lane stops the
 * run where it is a quote, a backslash or at most 0x1f; the rest as above. */
static Py_ssize_t plain_run_ucs1(const Py_UCS1 *p, Py_ssize_t i, Py_ssize_t n) {
    const __m128i quote = _mm_set1_epi8('"'), backslash = _mm_set1_epi8('\\'), control = _mm_set1_epi8(0x1f);
    for (; n - i >= 16; i += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(p + i));
        __m128i stop = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)),
                                    _mm_cmpeq_epi8(_mm_min_epu8(v, control), v));
        unsigned mask = (unsigned)_mm_movemask_epi8(stop);
        if (mask) return i + __builtin_ctz(mask);
    }
    return plain_run_ucs1_tail(p, i, n);
}

static Py_ssize_t plain_run_ucs2(const Py_UCS2 *p, Py_ssize_t i, Py_ssize_t n) {
    const __m128i quote = _mm_set1_epi16('"'), backslash = _mm_set1_epi16('\\');
    const __m128i high = _mm_set1_epi16((short)0xffe0), zero = _mm_setzero_si128();
    for (; n - i >= 8; i += 8) {
        __m128i v = _mm_loadu_si128((const __m128i *)(p + i));
        /* below 0x20 as unsigned 16-bit: no bit above the low five */
        __m128i control = _mm_cmpeq_epi16(_mm_and_si128(v, high), zero);
        __m128i stop = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi16(v, quote), _mm_cmpeq_epi16(v, backslash)), control);
        unsigned mask = (unsigned)_mm_movemask_epi8(stop);
        if (mask) return i + __builtin_ctz(mask) / 2;
    }
    return plain_run_ucs2_tail(p, i, n);
}
#else
#define plain_run_ucs1 plain_run_ucs1_tail
#define plain_run_ucs2 plain_run_ucs2_tail
#endif

/* The literal opening at i: the index after its closing quote, -1 if not strict; *escaped says
 * whether it has an escape. */
static Py_ssize_t strict_string(const Strict *s, Py_ssize_t i, int *escaped) {
    *escaped = 0;
    for (i++; i < s->n; i++) {
        if (s->kind == PyUnicode_1BYTE_KIND) i = plain_run_ucs1(s->data, i, s->n);
        else if (s->kind == PyUnicode_2BYTE_KIND) i = plain_run_ucs2(s->data, i, s->n);
        else i = plain_run_ucs4(s->data, i, s->n);
        if (i >= s->n) break;
        Py_UCS4 c = SCH(s, i);
        if (c == '"') return i + 1;
        if (c != '\\') return -1; /* a control character */
        *escaped = 1;
        if (++i >= s->n) return -1;
        c = SCH(s, i);
        if (c == 'u') {
            if (i + 4 >= s->n) return -1;
            for (int k = 1; k <= 4; k++)
                if (!hex_digit(SCH(s, i + k))) return -1;
            i += 4;
        } else if (c >= 128 || c == 0 || !strchr("\"\\/bfnrt", (int)c)) {
            return -1;
        }
    }
    return -1;
}

static Py_ssize_t strict_digits(const Strict *s, Py_ssize_t i) {
    Py_ssize_t from = i;
    while (i < s->n && SCH(s, i) >= '0' && SCH(s, i) <= '9') i++;
    return i > from ? i : -1;
}

static Py_ssize_t strict_number(const Strict *s, Py_ssize_t i) {
    Py_ssize_t from = i;
    if (SCH(s, i) == '-') i++;
    if (i >= s->n) return -1;
    if (SCH(s, i) == '0') i++;
    else if ((i = strict_digits(s, i)) < 0) return -1;
    if (i < s->n && SCH(s, i) == '.' && (i = strict_digits(s, i + 1)) < 0) return -1;
    if (i < s->n && (SCH(s, i) == 'e' || SCH(s, i) == 'E')) {
        i++;
        if (i < s->n && (SCH(s, i) == '+' || SCH(s, i) == '-')) i++;
        if ((i = strict_digits(s, i)) < 0) return -1;
    }
    return i - from > STRICT_NUMBER ? -1 : i;
}

static int strict_word(const Strict *s, Py_ssize_t i, const char *word) {
    for (; *word; word++, i++)
        if (i >= s->n || SCH(s, i) != (Py_UCS4)(unsigned char)*word) return 0;
    return 1;
}

static Py_ssize_t strict_value(const Strict *s, Py_ssize_t i, int depth);
static int key_is(const Strict *s, const Member *m, const char *name);
static int key_among(const Strict *s, const Member *m, PyObject *keys);

/* Whether the member whose key is m and whose value opens at v (not yet read) ends the reading
 * of an object read as mode says (see STRICT_POST). */
static int strict_stop(const Strict *s, const Member *m, Py_ssize_t v, int mode) {
    if (v >= s->n) return 0;
    Py_UCS4 c = SCH(s, v);
    if (mode == STRICT_POST)
        return (c == '"' || c == '{' || c == '[') && !key_among(s, m, s->quiet_full) && !key_among(s, m, s->quiet_text);
    if (c != '[' || !(key_is(s, m, "urls") || key_is(s, m, "media"))) return 0;
    Py_ssize_t j = strict_space(s, v + 1);
    return j < s->n && SCH(s, j) != ']'; /* a link, or something the read must look at */
}

/* The object opening at i, read as mode says: the index after it, -1 if not strict (or
 * stopped); its members into members (at most STRICT_MEMBERS) when that is not NULL. */
static Py_ssize_t strict_object(const Strict *s, Py_ssize_t i, int depth, Member *members, Py_ssize_t *count,
                                int mode) {
    Member own[STRICT_MEMBERS];
    Member *m = members != NULL ? members : own;
    Py_ssize_t n = 0;
    int escaped;
    i = strict_space(s, i + 1);
    if (i < s->n && SCH(s, i) == '}') {
        if (count != NULL) *count = 0;
        return i + 1;
    }
    for (;;) {
        if (i >= s->n || SCH(s, i) != '"' || n == STRICT_MEMBERS) return -1;
        Py_ssize_t key_end = strict_string(s, i, &escaped);
        if (key_end < 0 || escaped) return -1;
        Py_ssize_t key = i + 1, key_len = key_end - 1 - key;
        for (Py_ssize_t k = 0; k < n; k++)  /* a key written twice: the dict keeps one */
            if (m[k].key_len == key_len &&
                !memcmp((const char *)s->data + m[k].key * s->kind, (const char *)s->data + key * s->kind,
                        (size_t)(key_len * s->kind)))
                return -1;
        i = strict_space(s, key_end);
        if (i >= s->n || SCH(s, i) != ':') return -1;
        i = strict_space(s, i + 1);
        Py_ssize_t value = i;
        const Member read = {key, key_len, value, 0};
        if (mode != STRICT_ANY && strict_stop(s, &read, value, mode)) return -1;
        if (mode == STRICT_POST && value < s->n && SCH(s, value) == '{' &&
            (key_is(s, &read, "entities") || key_is(s, &read, "extended_entities")))
            i = depth >= STRICT_DEPTH ? -1 : strict_object(s, i, depth + 1, NULL, NULL, STRICT_ENTITIES);
        else
            i = strict_value(s, i, depth);
        if (i < 0) return -1;
        m[n++] = (Member){key, key_len, value, i};
        i = strict_space(s, i);
        if (i >= s->n) return -1;
        Py_UCS4 c = SCH(s, i);
        if (c == '}') break;
        if (c != ',') return -1;
        i = strict_space(s, i + 1);
    }
    if (count != NULL) *count = n;
    return i + 1;
}

static Py_ssize_t strict_value(const Strict *s, Py_ssize_t i, int depth) {
    if (i >= s->n) return -1;
    Py_UCS4 c = SCH(s, i);
    int escaped;
    if (c == '"') return strict_string(s, i, &escaped);
    if (c == '{') return depth >= STRICT_DEPTH ? -1 : strict_object(s, i, depth + 1, NULL, NULL, STRICT_ANY);
    if (c == '[') {
        if (depth >= STRICT_DEPTH) return -1;
        i = strict_space(s, i + 1);
        if (i < s->n && SCH(s, i) == ']') return i + 1;
        for (;;) {
            if ((i = strict_value(s, i, depth + 1)) < 0) return -1;
            i = strict_space(s, i);
            if (i >= s->n) return -1;
            c = SCH(s, i);
            if (c == ']') return i + 1;
            if (c != ',') return -1;
            i = strict_space(s, i + 1);
        }
    }
    if (c == '-' || (c >= '0' && c <= '9')) return strict_number(s, i);
    if (strict_word(s, i, "true")) return i + 4;
    if (strict_word(s, i, "false")) return i + 5;
    if (strict_word(s, i, "null")) return i + 4;
    return -1;
}

static int key_is(const Strict *s, const Member *m, const char *name) {
    return (Py_ssize_t)strlen(name) == m->key_len && strict_word(s, m->key, name);
}

static const Member *member_named(const Strict *s, const Member *m, Py_ssize_t n, const char *name) {
    for (Py_ssize_t k = 0; k < n; k++)
        if (key_is(s, &m[k], name)) return &m[k];
    return NULL;
}

/* Whether key m is one of the strings of the tuple keys (None: of none). Compared in place: a
 * set lookup would hash a new string for every member of every post. */
static int key_among(const Strict *s, const Member *m, PyObject *keys) {
    if (keys == Py_None) return 0;
    for (Py_ssize_t k = 0; k < PyTuple_GET_SIZE(keys); k++) {
        PyObject *key = PyTuple_GET_ITEM(keys, k);
        if (PyUnicode_GET_LENGTH(key) != m->key_len) continue;
        const int kind = PyUnicode_KIND(key);
        const void *data = PyUnicode_DATA(key);
        Py_ssize_t j = 0;
        if (kind == s->kind)
            j = memcmp(data, (const char *)s->data + m->key * kind, (size_t)(m->key_len * kind)) ? -1 : m->key_len;
        else
            while (j < m->key_len && PyUnicode_READ(kind, data, j) == SCH(s, m->key + j)) j++;
        if (j == m->key_len) return 1;
    }
    return 0;
}

/* Whether the string value of m is plain ASCII with no escape (its text is its value). */
static int plain_ascii(const Strict *s, const Member *m) {
    for (Py_ssize_t i = m->value + 1; i < m->value_end - 1; i++) {
        Py_UCS4 c = SCH(s, i);
        if (c >= 128 || c == '\\') return 0;
    }
    return 1;
}

/* The object opening at i, with the members into m that Walker._post reads: those of the object,
 * or, when it is a wrapper (one member, an object, under a key not in not_wrappers), those of the
 * object it wraps. A wrapper is read in one pass, its inner object with its members (an X
 * archive's every element is one); anything else by strict_object, as before. */
static Py_ssize_t strict_top(const Strict *s, Py_ssize_t i, PyObject *not_wrappers, Member *m, Py_ssize_t *n) {
    Py_ssize_t j = strict_space(s, i + 1);
    int escaped;
    if (not_wrappers != Py_None && j < s->n && SCH(s, j) == '"') {
        Py_ssize_t key_end = strict_string(s, j, &escaped);
        if (key_end >= 0 && !escaped) {
            const Member key = {j + 1, key_end - 1 - (j + 1), 0, 0};
            Py_ssize_t colon = strict_space(s, key_end);
            Py_ssize_t v = colon < s->n && SCH(s, colon) == ':' ? strict_space(s, colon + 1) : s->n;
            if (v < s->n && SCH(s, v) == '{' && !key_among(s, &key, not_wrappers)) {
                Py_ssize_t after = strict_object(s, v, 2, m, n, STRICT_POST);
                if (after >= 0) after = strict_space(s, after);
                if (after >= 0 && after < s->n && SCH(s, after) == '}') return after + 1;
            }
        }
    }
    /* not a wrapper: a wrapper that strict_object reads is read above, or refused by both */
    return strict_object(s, i, 1, m, n, STRICT_POST);
}

PyDoc_STRVAR(tweet_quiet_doc,
"tweet_quiet(text, start, end, not_wrappers, quiet_full, quiet_text, /)\n--\n\n"
"What linkguard.inputs.shapes.twitter.quiet says of the post that text[start:end] holds as a JSON\n"
"object (or wraps as its one member, under a key not in the tuple not_wrappers, None: never), read from the\n"
"text without parsing it: 0 for a quiet tweet without text, 1 for one whose text line_may_link\n"
"does not keep (read as UTF-8, as it is; a text with '<', or over 1024 characters outside ASCII, is\n"
"given, with no escape in it, for the caller to prove quiet), None when it\n"
"cannot tell (not a tweet, maybe not quiet, or JSON that the strict reading refuses). quiet_full\n"
"and quiet_text are twitter._QUIET_KEYS, as tuples.");

/* Characters of a text beyond which tweet_quiet leaves a text outside ASCII to the caller. */
#define QUIET_TEXT_CHARS 1024

/* c as UTF-8 at p, a lone surrogate as "surrogatepass" writes it: how many bytes. */
static int utf8_put(unsigned char *p, Py_UCS4 c) {
    if (c < 0x80) {
        p[0] = (unsigned char)c;
        return 1;
    }
    if (c < 0x800) {
        p[0] = (unsigned char)(0xc0 | (c >> 6));
        p[1] = (unsigned char)(0x80 | (c & 0x3f));
        return 2;
    }
    if (c < 0x10000) {
        p[0] = (unsigned char)(0xe0 | (c >> 12));
        p[1] = (unsigned char)(0x80 | ((c >> 6) & 0x3f));
        p[2] = (unsigned char)(0x80 | (c & 0x3f));
        return 3;
    }
    p[0] = (unsigned char)(0xf0 | (c >> 18));
    p[1] = (unsigned char)(0x80 | ((c >> 12) & 0x3f));
    p[2] = (unsigned char)(0x80 | ((c >> 6) & 0x3f));
    p[3] = (unsigned char)(0x80 | (c & 0x3f));
    return 4;
}

/* What tweet_quiet says of text[start:end]: 0 or 1, -1 for None, or 2 for a text the caller
 * proves quiet, which is text[*from:*to]. */
static int quiet_post(PyObject *text, Py_ssize_t start, Py_ssize_t end, PyObject *not_wrappers,
                      PyObject *quiet_full, PyObject *quiet_text, Py_ssize_t *from, Py_ssize_t *to) {
    if (start < 0 || end > PyUnicode_GET_LENGTH(text) || start > end) return -1;
    Strict s = {PyUnicode_KIND(text), PyUnicode_DATA(text), end, quiet_full, quiet_text};
    Member m[STRICT_MEMBERS];
    Py_ssize_t n, k;
    Py_ssize_t i = strict_space(&s, start);
    if (i >= end || SCH(&s, i) != '{') return -1;
    i = strict_top(&s, i, not_wrappers, m, &n);
    if (i < 0 || strict_space(&s, i) != end) return -1;
    const Member *text_member = member_named(&s, m, n, "full_text");
    PyObject *quiet_keys = quiet_full;
    if (text_member == NULL) {
        text_member = member_named(&s, m, n, "text");
        quiet_keys = quiet_text;
    }
    if (text_member == NULL || member_named(&s, m, n, "id_str") == NULL) return -1;
    for (k = 0; k < n; k++) {
        Py_UCS4 first = SCH(&s, m[k].value);
        if (first != '"' && first != '{' && first != '[') continue;
        if (!key_among(&s, &m[k], quiet_keys)) return -1;  /* a member the read walks */
    }
    for (k = 0; k < n; k++) {
        if ((key_is(&s, &m[k], "id_str") || key_is(&s, &m[k], "created_at")) && SCH(&s, m[k].value) == '"' &&
            !plain_ascii(&s, &m[k]))
            return -1;  /* maybe outside ASCII: the scanner looks for lone surrogates */
    }
    if (SCH(&s, text_member->value) != '"' || text_member->value_end - text_member->value == 2) return 0;
    *from = text_member->value + 1;
    *to = text_member->value_end - 1;
    int ascii = 1, html = 0;
    for (i = *from; i < *to; i++) {
        Py_UCS4 c = SCH(&s, i);
        if (c == '\\') return -1;
        ascii &= c < 128;
        html |= c == '<';
    }
    /* one line (no line break or tab: a control character), as line_may_link reads it: as UTF-8 */
    if (html) return 2; /* maybe HTML: the caller's regular expression says */
    if (ascii && s.kind == PyUnicode_1BYTE_KIND) /* its own UTF-8 */
        return line_match((const unsigned char *)s.data, *from, *to) ? -1 : 1;
    unsigned char utf8[4 * QUIET_TEXT_CHARS];
    if (*to - *from > QUIET_TEXT_CHARS) return 2;
    Py_ssize_t len = 0;
    for (i = *from; i < *to; i++) len += utf8_put(utf8 + len, SCH(&s, i));
    return line_match(utf8, 0, len) ? -1 : 1;
}

static int quiet_keys_ok(PyObject *not_wrappers) {
    if (not_wrappers == Py_None || PyTuple_Check(not_wrappers)) return 1;
    PyErr_SetString(PyExc_TypeError, "not_wrappers must be a tuple or None");
    return 0;
}

static PyObject *tweet_quiet(PyObject *self, PyObject *args) {
    PyObject *text, *not_wrappers, *quiet_full, *quiet_text;
    Py_ssize_t start, end, from, to;
    if (!PyArg_ParseTuple(args, "UnnOO!O!", &text, &start, &end, &not_wrappers, &PyTuple_Type, &quiet_full,
                          &PyTuple_Type, &quiet_text) ||
        !quiet_keys_ok(not_wrappers))
        return NULL;
    const int quiet = quiet_post(text, start, end, not_wrappers, quiet_full, quiet_text, &from, &to);
    if (quiet < 0) Py_RETURN_NONE;
    return quiet == 2 ? PyUnicode_Substring(text, from, to) : PyLong_FromLong(quiet);
}

PyDoc_STRVAR(quiet_runs_doc,
"quiet_runs(text, at, first, eof, deep, longest, not_wrappers, quiet_full, quiet_text, /) -> items\n--\n\n"
"array_spans and tweet_quiet in one pass: the elements array_spans finds, each a (start, end,\n"
"literals) to parse, or, where tweet_quiet gives a text to prove quiet, (start, end, literals, text);\n"
"and each run of at most longest elements that tweet_quiet says are quiet (0 or 1) one\n"
"(start, end, elements, records): records of them give one empty record each, start being where\n"
"the first of those opens (where the run does, when none does). A property test holds it to\n"
"array_spans and tweet_quiet element by element (tests/test_quiet_runs.py).");

static PyObject *quiet_runs(PyObject *self, PyObject *args) {
    PyObject *text, *not_wrappers, *quiet_full, *quiet_text;
    Py_ssize_t at, deep, longest;
    int first, eof;
    if (!PyArg_ParseTuple(args, "UnppnnOO!O!", &text, &at, &first, &eof, &deep, &longest, &not_wrappers,
                          &PyTuple_Type, &quiet_full, &PyTuple_Type, &quiet_text) ||
        !quiet_keys_ok(not_wrappers))
        return NULL;
    const Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    const int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    PyObject *items = PyList_New(0);
    if (items == NULL) return NULL;
    Py_ssize_t i = at < 0 ? 0 : at, end, count, from, to;
    Py_ssize_t run_start = 0, run_end = 0, elements = 0, records = 0; /* the run being read */
    for (; (end = next_element(kind, data, n, &i, first, eof, deep, &count)) >= 0; i = end, first = 0) {
        int quiet = quiet_post(text, i, end, not_wrappers, quiet_full, quiet_text, &from, &to);
        if (quiet == 0 || quiet == 1) {
            if (!elements) run_start = i, records = 0;
            if (quiet && !records) run_start = i;
            records += quiet;
            run_end = end;
            if (++elements < longest) continue;
        }
        /* the run ends: it is longest elements long, or this one is not quiet */
        if (elements && append_steal(items, Py_BuildValue("(nnnn)", run_start, run_end, elements, records)) < 0)
            goto error;
        elements = 0;
        if (quiet == 0 || quiet == 1) continue;
        PyObject *item;
        if (quiet == 2) {
            PyObject *found = PyUnicode_Substring(text, from, to);
            item = found == NULL ? NULL : Py_BuildValue("(nnnN)", i, end, count, found);
        } else {
            item = Py_BuildValue("(nnn)", i, end, count);
        }
        if (append_steal(items, item) < 0) goto error;
    }
    if (elements && append_steal(items, Py_BuildValue("(nnnn)", run_start, run_end, elements, records)) < 0)
        goto error;
    return items;
error:
    Py_DECREF(items);
    return NULL;
}

PyDoc_STRVAR(quiet_lines_doc,
"quiet_lines(text, at, size, not_wrappers, quiet_full, quiet_text, /) -> (stop, end, lines, first, quiet, posts, found)\n--\n\n"
"The lines of text from at on (each up to and with a '\\n'; the last may have none) that\n"
"jsondump.read_lines passes without parsing them, in one pass: blank ones (str.isspace) and those\n"
"tweet_quiet says are quiet posts (0 or 1). It stops at the first other line, text[stop:end]\n"
"(stop = end = len(text) when there is none): one that tweet_quiet leaves to the caller (found: the\n"
"text to prove quiet; else None), one that may not be quiet, or one cut short (no '\\n', and size\n"
"characters or more). lines: the lines before stop; quiet: how many of them are quiet posts, first\n"
"(-1: none) which is the first of those, posts how many of those have text. A property test holds\n"
"it to tweet_quiet line by line (tests/test_quiet_lines.py).");

static PyObject *quiet_lines(PyObject *self, PyObject *args) {
    PyObject *text, *not_wrappers, *quiet_full, *quiet_text;
    Py_ssize_t at, size;
    if (!PyArg_ParseTuple(args, "UnnOO!O!", &text, &at, &size, &not_wrappers, &PyTuple_Type, &quiet_full,
                          &PyTuple_Type, &quiet_text) ||
        !quiet_keys_ok(not_wrappers))
        return NULL;
    const Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    const int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    Py_ssize_t i = at < 0 ? 0 : at, end = n, lines = 0, first = -1, quiet = 0, posts = 0, from, to, k;
    for (; i < n; i = end, lines++) {
        end = PyUnicode_FindChar(text, '\n', i, n, 1);
        if (end == -2) return NULL;
        end = end < 0 ? n : end + 1;
        if (end == n && PyUnicode_READ(kind, data, n - 1) != '\n' && n - i >= size) break; /* cut short */
        for (k = i; k < end && Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, k)); k++) {
        }
        if (k == end) continue; /* blank */
        const int found = quiet_post(text, i, end, not_wrappers, quiet_full, quiet_text, &from, &to);
        if (found == 2) {
            PyObject *proof = PyUnicode_Substring(text, from, to);
            return proof == NULL ? NULL : Py_BuildValue("(nnnnnnN)", i, end, lines, first, quiet, posts, proof);
        }
        if (found < 0) break;
        if (first < 0) first = lines;
        quiet++;
        posts += found;
    }
    if (i >= n) i = end = n;
    return Py_BuildValue("(nnnnnnO)", i, end, lines, first, quiet, posts, Py_None);
}
#undef SCH

/* --- An ordinary X post's links, read in one call (linkguard.inputs.shapes.twitter) ------------
 * tweet_links walks a tweet parsed to dicts as Walker.split_post and read_post's loop over its
 * entities do (_links_walked, its Python twin), without building a path for each of its strings:
 * only the literal indices of its text and links are kept. Anything split_post would walk in
 * Python, or that a dict did not parse to, is left to the twin (the call gives None). */

/* Whether s is the str ascii (n characters): a key compared in place, without making one. */
static int ascii_is(PyObject *s, const char *ascii, Py_ssize_t n) {
    return PyUnicode_IS_COMPACT_ASCII(s) && PyUnicode_GET_LENGTH(s) == n && memcmp(PyUnicode_DATA(s), ascii, n) == 0;
}
#define ASCII_IS(s, literal) ascii_is((s), (literal), (Py_ssize_t)sizeof(literal) - 1)

/* ascii written into buffer at n; the new end. */
static Py_ssize_t put_ascii(char *buffer, Py_ssize_t n, const char *ascii) {
    const size_t length = strlen(ascii);
    memcpy(buffer + n, ascii, length);
    return n + (Py_ssize_t)length;
}

/* A walk of one tweet: the literal index it is at, and for each group (entities, then
 * extended_entities) the literal indices of its links and the links, in document order. */
typedef struct {
    PyObject *base;
    Py_ssize_t index;
    PyObject *indices[2], *links[2];
} TweetWalk;

/* value's literals passed: 0, or -1 on error. */
static int pass_literals(TweetWalk *w, PyObject *value) {
    const Py_ssize_t n = count_literals(value);
    if (n < 0) return -1;
    w->index += n;
    return 0;
}

/* Item i of entities[group][kind], a dict: its literals passed, its link (if any) kept. */
static int tweet_link(TweetWalk *w, int g, const char *kind, Py_ssize_t i, PyObject *item) {
    Py_ssize_t pos = 0, at_url = -1, at_expanded = -1;
    PyObject *key, *value, *url = NULL, *expanded = NULL, *shown = NULL;
    while (PyDict_Next(item, &pos, &key, &value)) {
        if (!PyUnicode_CheckExact(key)) return 1;
        const Py_ssize_t at = ++w->index; /* past the key literal */
        if (ASCII_IS(key, "url")) url = value, at_url = at;
        else if (ASCII_IS(key, "expanded_url")) expanded = value, at_expanded = at;
        else if (ASCII_IS(key, "display_url")) shown = value;
        if (PyUnicode_CheckExact(value)) w->index++;
        else if (is_container(value) && pass_literals(w, value) < 0) return -1;
    }
    PyObject *link = expanded; /* link.get("expanded_url") or link.get("url") */
    if (link != NULL) {
        const int truth = PyObject_IsTrue(link);
        if (truth < 0) return -1;
        if (!truth) link = url;
    } else {
        link = url;
    }
    if (link == NULL || !PyUnicode_Check(link)) return 0;
    /* the field's literal, when it is a string (else None, as a path map without it gives) */
    PyObject *field = expanded != NULL ? expanded : url;
    const Py_ssize_t at = expanded != NULL ? at_expanded : at_url;
    int differs = url != NULL && PyUnicode_Check(url);
    if (differs && (differs = PyObject_RichCompareBool(url, link, Py_NE)) < 0) return -1;
    PyObject *index = field != NULL && PyUnicode_CheckExact(field) ? PyLong_FromSsize_t(at) : Py_NewRef(Py_None);
    if (append_steal(w->indices[g], index) < 0) return -1;
    /* the pointer past base, "/group/kind/i/field", written by hand: a format cost more than the rest */
    char tail[80], digits[24];
    Py_ssize_t n = put_ascii(tail, 0, g ? "/extended_entities/" : "/entities/");
    n = put_ascii(tail, n, kind);
    int d = 0;
    for (size_t rest = (size_t)i; d == 0 || rest > 0; rest /= 10) digits[d++] = (char)('0' + rest % 10);
    tail[n++] = '/';
    while (d > 0) tail[n++] = digits[--d];
    n = put_ascii(tail, n, expanded != NULL ? "/expanded_url" : "/url");
    PyObject *end = PyUnicode_FromStringAndSize(tail, n);
    PyObject *where = end == NULL || PyUnicode_GET_LENGTH(w->base) == 0 ? Py_XNewRef(end) : PyUnicode_Concat(w->base, end);
    Py_XDECREF(end);
    PyObject *via = differs ? PyTuple_Pack(1, url) : PyTuple_New(0);
    PyObject *found = where == NULL || via == NULL
                          ? NULL
                          : PyTuple_Pack(4, where, link, shown != NULL && PyUnicode_Check(shown) ? shown : Py_None, via);
    Py_XDECREF(where);
    Py_XDECREF(via);
    return append_steal(w->links[g], found);
}

/* entities or extended_entities (g), a dict: its literals passed, its urls' and media's links kept. */
static int tweet_entities(TweetWalk *w, int g, PyObject *entities) {
    Py_ssize_t pos = 0;
    PyObject *key, *items;
    while (PyDict_Next(entities, &pos, &key, &items)) {
        if (!PyUnicode_CheckExact(key)) return 1;
        w->index++;
        const char *kind = ASCII_IS(key, "urls") ? "urls" : ASCII_IS(key, "media") ? "media" : NULL;
        if (kind != NULL && is_pairs(items)) return 1;
        if (kind == NULL || !PyList_CheckExact(items)) {
            if (pass_literals(w, items) < 0) return -1;
            continue;
        }
        for (Py_ssize_t i = 0; i < PyList_GET_SIZE(items); i++) {
            PyObject *item = PyList_GET_ITEM(items, i);
            if (is_pairs(item)) return 1;
            const int rc = PyDict_CheckExact(item) ? tweet_link(w, g, kind, i, item) : pass_literals(w, item);
            if (rc) return rc;
        }
    }
    return 0;
}

/* The tweet's members; 0, 1 or -1 as above. */
static int tweet_walk(TweetWalk *w, PyObject *fields, const char *text_key, Py_ssize_t text_length, PyObject *meta,
                      Py_ssize_t *text_at) {
    Py_ssize_t pos = 0;
    PyObject *key, *item;
    while (PyDict_Next(fields, &pos, &key, &item)) {
        if (!PyUnicode_CheckExact(key)) return 1;
        w->index++;
        const int is_str = PyUnicode_CheckExact(item);
        int rc;
        if (ascii_is(key, text_key, text_length)) {
            if (is_str) *text_at = w->index++;
            else if (is_container(item)) return 1;
            continue;
        }
        const int g = ASCII_IS(key, "entities") ? 0 : ASCII_IS(key, "extended_entities") ? 1 : -1;
        if (g >= 0 && PyDict_CheckExact(item)) rc = tweet_entities(w, g, item);
        else if (g >= 0 && is_str) w->index++, rc = 0;
        else if (g >= 0) rc = PyList_Check(item);
        else if (!is_str && !is_container(item)) rc = 0; /* no literal, no link */
        else if ((rc = PySet_Contains(meta, key)) >= 0) rc = rc ? pass_literals(w, item) : 1;
        if (rc) return rc;
    }
    return 0;
}

PyDoc_STRVAR(tweet_links_doc,
"tweet_links(fields, index, text_key, base, meta, /) -> (index, indices, links) | None\n--\n\n"
"An X post parsed to dicts (fields, its first key being literal index) read as\n"
"linkguard.inputs.shapes.twitter._links_walked reads it: the index after its last literal, the\n"
"literal indices of its text (fields[text_key]) and of each link, and each link as (pointer from\n"
"base, link, display, via). None when a member outside text_key, entities, extended_entities\n"
"and meta holds a string, or anything is not what a dict parse gives: the Python twin reads it.");

static PyObject *tweet_links(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
    if (nargs != 5 || !PyDict_CheckExact(args[0]) || !PyUnicode_Check(args[2]) ||
        !PyUnicode_IS_COMPACT_ASCII(args[2]) || !PyUnicode_Check(args[3]) ||
        !PyAnySet_Check(args[4])) {
        PyErr_SetString(PyExc_TypeError,
                        "tweet_links(fields: dict, index: int, text_key: ASCII str, base: str, meta: frozenset)");
        return NULL;
    }
    TweetWalk w = {args[3], PyLong_AsSsize_t(args[1]), {NULL, NULL}, {NULL, NULL}};
    if (w.index == -1 && PyErr_Occurred()) return NULL;
    PyObject *out = NULL, *indices = NULL;
    Py_ssize_t text_at = -1;
    for (int g = 0; g < 2; g++)
        if ((w.indices[g] = PyList_New(0)) == NULL || (w.links[g] = PyList_New(0)) == NULL) goto done;
    const int rc = tweet_walk(&w, args[0], PyUnicode_DATA(args[2]), PyUnicode_GET_LENGTH(args[2]), args[4], &text_at);
    if (rc != 0) {
        out = rc < 0 ? NULL : Py_NewRef(Py_None);
        goto done;
    }
    indices = PyList_New(1);
    if (indices == NULL) goto done;
    PyList_SET_ITEM(indices, 0, text_at >= 0 ? PyLong_FromSsize_t(text_at) : Py_NewRef(Py_None));
    if (PyList_GET_ITEM(indices, 0) == NULL) goto done;
    Py_ssize_t n = PyList_GET_SIZE(indices);
    if (PyList_SetSlice(indices, n, n, w.indices[0]) < 0) goto done;
    n = PyList_GET_SIZE(indices);
    if (PyList_SetSlice(indices, n, n, w.indices[1]) < 0) goto done;
    n = PyList_GET_SIZE(w.links[0]);
    if (PyList_SetSlice(w.links[0], n, n, w.links[1]) < 0) goto done;
    out = Py_BuildValue("(nOO)", w.index, indices, w.links[0]);
done:
    for (int g = 0; g < 2; g++) {
        Py_XDECREF(w.indices[g]);
        Py_XDECREF(w.links[g]);
    }
    Py_XDECREF(indices);
    return out;
}
#undef ASCII_IS

/* ---- slotted: many instances of a __slots__ class, built without calling it ---------------- */

PyDoc_STRVAR(slotted_doc,
"slotted(cls, names, rows, /)\n--\n\n"
"[cls(*row) for row in rows], rows being tuples, for a class whose __init__ only stores its\n"
"arguments, in order, in the __slots__ named by names (a frozen dataclass with slots and no\n"
"__post_init__): each object's slots are filled directly, where a frozen dataclass stores each\n"
"field through object.__setattr__. Restoring the lookalike index's ~11,000 outlets, rules and\n"
"brands so took 0.10 G instructions instead of 0.21 G, at every scan's start. TypeError for a row\n"
"of the wrong length and for a class or name that is no such slot.");

static PyObject *slotted(PyObject *self, PyObject *args) {
    PyTypeObject *cls;
    PyObject *names, *rows;
    if (!PyArg_ParseTuple(args, "O!O!O:slotted", &PyType_Type, &cls, &PyTuple_Type, &names, &rows)) return NULL;
    if (cls->tp_dictoffset != 0 || cls->tp_itemsize != 0 || cls->tp_alloc == NULL) {
        PyErr_Format(PyExc_TypeError, "slotted: %s instances are not plain slots", cls->tp_name);
        return NULL;
    }
    Py_ssize_t width = PyTuple_GET_SIZE(names);
    Py_ssize_t *offsets = PyMem_New(Py_ssize_t, width > 0 ? width : 1);
    if (offsets == NULL) return PyErr_NoMemory();
    PyObject *out = NULL, *seq = NULL;
    for (Py_ssize_t i = 0; i < width; i++) {
        PyObject *name = PyTuple_GET_ITEM(names, i);
        PyObject *descr = PyUnicode_Check(name) ? _PyType_Lookup(cls, name) : NULL;
        if (descr == NULL || !Py_IS_TYPE(descr, &PyMemberDescr_Type) ||
            ((PyMemberDescrObject *)descr)->d_member->type != T_OBJECT_EX ||
            (((PyMemberDescrObject *)descr)->d_member->flags & READONLY)) {
            PyErr_Format(PyExc_TypeError, "slotted: %R is no slot of %s", name, cls->tp_name);
            goto done;
        }
        offsets[i] = ((PyMemberDescrObject *)descr)->d_member->offset;
    }
    seq = PySequence_Tuple(rows); /* a tuple: nothing run by an allocation can change its length */
    if (seq == NULL) goto done;
    Py_ssize_t count = PyTuple_GET_SIZE(seq);
    out = PyList_New(count);
    if (out == NULL) goto done;
    for (Py_ssize_t r = 0; r < count; r++) {
        PyObject *row = PyTuple_GET_ITEM(seq, r);
        if (!PyTuple_Check(row)) {
            PyErr_Format(PyExc_TypeError, "slotted: a row is a %s, not a tuple", Py_TYPE(row)->tp_name);
            Py_CLEAR(out);
            goto done;
        }
        if (PyTuple_GET_SIZE(row) != width) {
            PyErr_Format(PyExc_TypeError, "slotted: a row of %zd values for %zd slots",
                         PyTuple_GET_SIZE(row), width);
            Py_CLEAR(out);
            goto done;
        }
        PyObject *obj = cls->tp_alloc(cls, 0);
        if (obj == NULL) {
            Py_CLEAR(out);
            goto done;
        }
        for (Py_ssize_t i = 0; i < width; i++) {
            PyObject **slot = (PyObject **)((char *)obj + offsets[i]);
            PyObject *old = *slot;
            *slot = Py_NewRef(PyTuple_GET_ITEM(row, i));
            Py_XDECREF(old); /* a name given twice: the last value, as __init__ would leave it */
        }
        PyList_SET_ITEM(out, r, obj);
    }
done:
    Py_XDECREF(seq);
    PyMem_Free(offsets);
    return out;
}

static PyMethodDef methods[] = {
    {"select_lines", select_lines, METH_VARARGS, select_lines_doc},
    {"line_may_link", line_may_link, METH_O, line_may_link_doc},
    {"literal_starts", literal_starts, METH_VARARGS, literal_starts_doc},
    {"count_newlines", count_newlines, METH_O, count_newlines_doc},
    {"newlines", newlines, METH_VARARGS, newlines_doc},
    {"literal_places", (PyCFunction)(void (*)(void))literal_places, METH_FASTCALL, literal_places_doc},
    {"has_lone_surrogate", (PyCFunction)(void (*)(void))has_lone_surrogate, METH_FASTCALL, has_lone_surrogate_doc},
    {"literals", literals, METH_O, literals_doc},
    {"locate", locate, METH_VARARGS, locate_doc},
    {"split_run", split_run, METH_VARARGS, split_run_doc},
    {"value_end", value_end, METH_VARARGS, value_end_doc},
    {"array_spans", array_spans, METH_VARARGS, array_spans_doc},
    {"deletion_hits", deletion_hits, METH_VARARGS, deletion_hits_doc},
    {"json_boundary", json_boundary, METH_VARARGS, json_boundary_doc},
    {"tweet_quiet", tweet_quiet, METH_VARARGS, tweet_quiet_doc},
    {"quiet_runs", quiet_runs, METH_VARARGS, quiet_runs_doc},
    {"quiet_lines", quiet_lines, METH_VARARGS, quiet_lines_doc},
    {"tweet_links", (PyCFunction)(void (*)(void))tweet_links, METH_FASTCALL, tweet_links_doc},
    {"slotted", slotted, METH_VARARGS, slotted_doc},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "linkguard._blocks",
    "The plain-text line selection of linkguard.inputs.plaintext (and newline counting), and where JSON\n"
    "string literals open, and the SymSpell lookup of the lookalike index, in C.", -1, methods,
};

PyMODINIT_FUNC PyInit__blocks(void) {
    init_start();
    if (PyType_Ready(&NamesType) < 0) return NULL;
    PyObject *m = PyModule_Create(&module);
    if (m == NULL) return NULL;
    if (PyModule_AddObjectRef(m, "Names", (PyObject *)&NamesType) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
