/* The line scan of kroniek.ingest.structure in C: paragraphs and candidate reference lines of an article.
 *
 * Ingest derives the structure of every article; in Python the scan splits the text into blocks and lines and
 * strips each one, about half the cost of the structure. This module reads the string's code points in place and
 * makes no substrings. kroniek/ingest/structure.py holds the same scan in Python (`_scan_python`), used where this
 * module is not built; the tests hold the two to the same output.
 *
 *   scan(text) -> (paragraphs, candidates)
 *     paragraphs  [(start, end), ...]: runs of non-blank lines, trimmed of white space at both ends. A line whose
 *                 first character after spaces and tabs is other white space (a no-break space) starts a paragraph
 *                 of its own at its first non-space character.
 *     candidates  [(start, end), ...]: the lines (without their line end) whose first two characters after spaces
 *                 and tabs are, in lower case, one of the reference lead-ins' first two letters ("le", "zi", "oo",
 *                 "me"); the caller tells with its regular expression which of them are reference lines.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <string.h>

static int append_pair(PyObject *list, Py_ssize_t a, Py_ssize_t b) {
    PyObject *pair = Py_BuildValue("(nn)", a, b);
    if (pair == NULL) return -1;
    int rc = PyList_Append(list, pair);
    Py_DECREF(pair);
    return rc;
}

static Py_UCS4 ascii_lower(Py_UCS4 c) {
    return (c >= 'A' && c <= 'Z') ? c + 32 : c;
}

/* Python's str.lower() maps only U+0130 and U+212A outside ASCII to something that starts with an ASCII letter
 * ('i' and 'k'); neither starts a lead-in, so comparing ASCII case-folded code points gives the same answer. */
static int lead_start(Py_UCS4 a, Py_UCS4 b) {
    a = ascii_lower(a);
    b = ascii_lower(b);
    return (a == 'l' && b == 'e') || (a == 'z' && b == 'i') || (a == 'o' && b == 'o') || (a == 'm' && b == 'e');
}

/* The offset of the next line end at or after `from`, or n when there is none (memchr where a code point is a byte). */
static Py_ssize_t next_line_end(int kind, const void *data, Py_ssize_t from, Py_ssize_t n) {
    if (kind == PyUnicode_1BYTE_KIND) {
        const Py_UCS1 *bytes = (const Py_UCS1 *)data;
        const void *hit = memchr(bytes + from, '\n', (size_t)(n - from));
        return hit ? (const Py_UCS1 *)hit - bytes : n;
    }
    while (from < n && PyUnicode_READ(kind, data, from) != '\n') from++;
    return from;
}

static PyObject *scan(PyObject *self, PyObject *arg) {
    (void)self;
    if (!PyUnicode_Check(arg)) {
        PyErr_SetString(PyExc_TypeError, "scan() needs a str");
        return NULL;
    }
#if PY_VERSION_HEX < 0x030C0000
    if (PyUnicode_READY(arg) < 0) return NULL;  /* a string from the old C API gets its canonical form first */
#endif
    const int kind = PyUnicode_KIND(arg);
    const void *data = PyUnicode_DATA(arg);
    const Py_ssize_t n = PyUnicode_GET_LENGTH(arg);
    PyObject *paras = PyList_New(0);
    PyObject *cands = PyList_New(0);
    if (paras == NULL || cands == NULL) goto fail;

    Py_ssize_t start = -1, end = 0;  /* the open paragraph (start -1: none) and the end of its last line */
    Py_ssize_t line = 0;
    while (line <= n) {
        Py_ssize_t eol = line < n ? next_line_end(kind, data, line, n) : n;
        if (eol > line) {
            Py_ssize_t body = line;
            while (body < eol) {
                Py_UCS4 c = PyUnicode_READ(kind, data, body);
                if (c != ' ' && c != '\t') break;
                body++;
            }
            Py_ssize_t stop = eol;  /* the line's end with trailing white space trimmed */
            while (stop > line && Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, stop - 1))) stop--;
            if (start >= 0 && body < eol && !Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, body))) {
                end = stop;
            } else {
                if (start >= 0 && append_pair(paras, start, end) < 0) goto fail;
                start = -1;
                Py_ssize_t rest = body;
                while (rest < eol && Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, rest))) rest++;
                if (rest < eol) {
                    start = rest;
                    end = stop;
                }
            }
            if (eol - body >= 2 && lead_start(PyUnicode_READ(kind, data, body), PyUnicode_READ(kind, data, body + 1))
                && append_pair(cands, line, eol) < 0) goto fail;
        } else if (start >= 0) {
            if (append_pair(paras, start, end) < 0) goto fail;
            start = -1;
        }
        line = eol + 1;
    }
    if (start >= 0 && append_pair(paras, start, end) < 0) goto fail;
    return Py_BuildValue("(NN)", paras, cands);

fail:
    Py_XDECREF(paras);
    Py_XDECREF(cands);
    return NULL;
}

static PyMethodDef methods[] = {
    {"scan", scan, METH_O, "Paragraphs and candidate reference lines of a text, as (start, end) offsets."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "kroniek.ingest._scan", "The line scan of kroniek.ingest.structure in C.", -1, methods,
};

PyMODINIT_FUNC PyInit__scan(void) {
    return PyModule_Create(&module);
}
