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
 * json does (its Python twin: linkguard.inputs.jsontree._literal_starts_py).
 *
 * deletion_hits(key, index) is the SymSpell lookup of linkguard.lookalike.index (its Python twin:
 * linkguard.lookalike.index._deletion_hits_py): which one-deletion variants of a name are indexed.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <string.h>

/* Bytes that can start a pattern. */
static unsigned char START[256];

static void init_start(void) {
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
        int kept = 0, obfuscated = 0;
        for (Py_ssize_t i = start; i < end; i++) {
            if (!START[p[i]]) continue;
            int m = match_at(p, start, i, end);
            if (m == 2) { kept = obfuscated = 1; break; }
            kept |= m;
        }
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
    int inside = 0, wide = 0, minus = 0;
    Py_ssize_t brackets = 0, digits = 0;
    for (Py_ssize_t i = start; i < end; i++) {
        Py_UCS4 c = PyUnicode_READ(kind, data, i);
        if (c == '\\') {
            i++; /* JSON pairs backslashes from the left: the next character is escaped */
            digits = 0;
            minus = 0;
            continue;
        }
        if (c == '"') {
            if (!inside && append_steal(out, PyLong_FromSsize_t(i)) < 0) {
                Py_DECREF(out);
                return NULL;
            }
            inside = !inside;
            digits = 0;
            minus = 0;
            continue;
        }
        if (inside) continue;
        if (c >= '0' && c <= '9') {
            digits++;
            if (digits >= 20 || (minus && digits >= 19)) wide = 1;
            continue;
        }
        minus = c == '-';
        digits = 0;
        if (c == '[' || c == '{') brackets++;
    }
    return Py_BuildValue("(NOn)", out, wide ? Py_True : Py_False, brackets);
}

PyDoc_STRVAR(count_newlines_doc,
"count_newlines(data, /)\n--\n\n"
"data.count(b'\\n'), at the speed of the vector unit: a loop without an early exit, which the\n"
"compiler vectorizes (bytes.count checks a limit at every match). Planning a large file's ranges\n"
"for scan --jobs counts every newline of the file in the one parent process.");

static PyObject *count_newlines(PyObject *self, PyObject *arg) {
    Py_buffer view;
    if (PyObject_GetBuffer(arg, &view, PyBUF_SIMPLE) < 0) return NULL;
    const unsigned char *p = view.buf;
    Py_ssize_t n = view.len, count = 0;
    for (Py_ssize_t at = 0; at < n; at += 1 << 16) { /* in slices: a byte counter cannot overflow */
        Py_ssize_t end = n - at < (1 << 16) ? n - at : (1 << 16);
        unsigned int slice = 0;
        for (Py_ssize_t i = 0; i < end; i++) slice += p[at + i] == '\n';
        count += slice;
    }
    PyBuffer_Release(&view);
    return PyLong_FromSsize_t(count);
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

static PyObject *json_boundary(PyObject *self, PyObject *args) {
    Py_buffer view;
    Py_ssize_t start, depth, want;
    int flags;
    if (!PyArg_ParseTuple(args, "y*nnin", &view, &start, &depth, &flags, &want)) return NULL;
    const unsigned char *p = view.buf;
    Py_ssize_t n = view.len, at = -1, deepest = depth, commas = 0;
    int in_string = flags & 1, escaped = (flags & 2) != 0;
    Py_ssize_t i = start < 0 ? 0 : start;
    for (; i < n; i++) {
        unsigned char c = p[i];
        if (in_string) {
            if (escaped) {
                escaped = 0;
                continue;
            }
            /* the rest of the string in one pass: only a backslash or a quote changes the state */
            while (i < n && p[i] != '"' && p[i] != '\\') i++;
            if (i == n) break;
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
    PyBuffer_Release(&view);
    return Py_BuildValue("(nninn)", at, depth, in_string | (escaped ? 2 : 0), deepest, commas);
}

static PyMethodDef methods[] = {
    {"select_lines", select_lines, METH_VARARGS, select_lines_doc},
    {"literal_starts", literal_starts, METH_VARARGS, literal_starts_doc},
    {"count_newlines", count_newlines, METH_O, count_newlines_doc},
    {"deletion_hits", deletion_hits, METH_VARARGS, deletion_hits_doc},
    {"json_boundary", json_boundary, METH_VARARGS, json_boundary_doc},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "linkguard._blocks",
    "The plain-text line selection of linkguard.inputs.plaintext (and newline counting), and where JSON\n"
    "string literals open, and the SymSpell lookup of the lookalike index, in C.", -1, methods,
};

PyMODINIT_FUNC PyInit__blocks(void) {
    init_start();
    return PyModule_Create(&module);
}
