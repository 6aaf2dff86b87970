/* The pairs of adjacent common words of a text, in C: the hot loop of kroniek.search.pairs.CommonPairs.
 *
 * Python's loop over a text's words costs about 100 microseconds an article, half of what indexing spends in
 * Python. This module walks the prepared bytes once, looks each ASCII word up in a small hash table of the common
 * words, and asks Python only about the words with bytes beyond ASCII (through the `words_of` callable, whose
 * answers CommonPairs caches). kroniek/search/pairs.py holds the same algorithm in Python, used where this module
 * is not built; the tests hold the two to the same output.
 *
 *   set_common(words)             the common words (bytes, ASCII, lower case), once
 *   common_pairs(data, words_of)  data: the text as `pairs.LOWER_WORDS` leaves it (ASCII letters lowercased,
 *                                 other ASCII bytes spaces); returns b"de_eerste in_zijn ..."
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <string.h>

#define MAX_WORD 64          /* longer words are never common */
#define TABLE_SIZE 2048      /* open addressing, a power of two, well over twice the words */

typedef struct {
    Py_ssize_t len;          /* 0: empty slot */
    char text[MAX_WORD];
} Slot;

static Slot table[TABLE_SIZE];
static int table_ready = 0;

static uint32_t hash_bytes(const char *s, Py_ssize_t n) {
    uint32_t h = 2166136261u;  /* FNV-1a */
    for (Py_ssize_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 16777619u;
    }
    return h;
}

static int is_common(const char *s, Py_ssize_t n) {
    if (n <= 0 || n >= MAX_WORD) return 0;
    uint32_t i = hash_bytes(s, n) & (TABLE_SIZE - 1);
    while (table[i].len) {
        if (table[i].len == n && memcmp(table[i].text, s, (size_t)n) == 0) return 1;
        i = (i + 1) & (TABLE_SIZE - 1);
    }
    return 0;
}

static PyObject *set_common(PyObject *self, PyObject *words) {
    PyObject *it = PyObject_GetIter(words);
    if (it == NULL) return NULL;
    memset(table, 0, sizeof(table));
    table_ready = 0;
    Py_ssize_t count = 0;
    PyObject *w;
    while ((w = PyIter_Next(it)) != NULL) {
        char *s;
        Py_ssize_t n;
        if (PyBytes_AsStringAndSize(w, &s, &n) < 0) { Py_DECREF(w); Py_DECREF(it); return NULL; }
        if (n <= 0 || n >= MAX_WORD || ++count > TABLE_SIZE / 2) {
            Py_DECREF(w);
            Py_DECREF(it);
            PyErr_SetString(PyExc_ValueError, "common words must be 1-63 bytes long, at most 1024 of them");
            return NULL;
        }
        if (!is_common(s, n)) {
            uint32_t i = hash_bytes(s, n) & (TABLE_SIZE - 1);
            while (table[i].len) i = (i + 1) & (TABLE_SIZE - 1);
            table[i].len = n;
            memcpy(table[i].text, s, (size_t)n);
        }
        Py_DECREF(w);
    }
    Py_DECREF(it);
    if (PyErr_Occurred()) return NULL;
    table_ready = 1;
    Py_RETURN_NONE;
}

typedef struct {
    char *data;
    Py_ssize_t len, cap;
} Buffer;

static int buffer_add(Buffer *b, const char *s, Py_ssize_t n) {
    if (b->len + n > b->cap) {
        Py_ssize_t cap = b->cap ? b->cap : 1024;
        while (b->len + n > cap) cap *= 2;
        char *grown = PyMem_Realloc(b->data, (size_t)cap);
        if (grown == NULL) { PyErr_NoMemory(); return -1; }
        b->data = grown;
        b->cap = cap;
    }
    memcpy(b->data + b->len, s, (size_t)n);
    b->len += n;
    return 0;
}

/* The previous word, when it was common: where its bytes are, and the object that owns them. */
typedef struct {
    const char *s;
    Py_ssize_t n;
    PyObject *owner;  /* a strong reference, or NULL while the bytes are in `data` */
} Prev;

static void prev_clear(Prev *p) {
    Py_CLEAR(p->owner);
    p->s = NULL;
    p->n = 0;
}

/* A word follows: add its pair with the previous common word; it becomes the previous word if common. */
static int step(Buffer *out, Prev *prev, const char *s, Py_ssize_t n, PyObject *owner) {
    if (!is_common(s, n)) {
        prev_clear(prev);
        return 0;
    }
    if (prev->s != NULL) {
        if (out->len && buffer_add(out, " ", 1) < 0) return -1;
        if (buffer_add(out, prev->s, prev->n) < 0 || buffer_add(out, "_", 1) < 0 || buffer_add(out, s, n) < 0)
            return -1;
    }
    Py_XINCREF(owner);
    prev_clear(prev);
    prev->s = s;
    prev->n = n;
    prev->owner = owner;
    return 0;
}

static PyObject *common_pairs(PyObject *self, PyObject *args) {
    Py_buffer view;
    PyObject *words_of;
    if (!PyArg_ParseTuple(args, "y*O:common_pairs", &view, &words_of)) return NULL;
    if (!table_ready) {
        PyBuffer_Release(&view);
        PyErr_SetString(PyExc_RuntimeError, "set_common() first");
        return NULL;
    }
    const char *data = view.buf;
    Py_ssize_t size = view.len, i = 0;
    Buffer out = {NULL, 0, 0};
    Prev prev = {NULL, 0, NULL};
    while (i < size) {
        while (i < size && data[i] == ' ') i++;
        if (i >= size) break;
        Py_ssize_t j = i;
        int ascii = 1;
        while (j < size && data[j] != ' ') {
            if ((unsigned char)data[j] >= 0x80) ascii = 0;
            j++;
        }
        if (ascii) {
            if (step(&out, &prev, data + i, j - i, NULL) < 0) goto fail;
        } else {
            /* letters with accents, curly quotes, dashes: the analyzer's words stand in for the stretch; one of
               punctuation alone holds no word and leaves its neighbours adjacent */
            PyObject *chunk = PyBytes_FromStringAndSize(data + i, j - i);
            if (chunk == NULL) goto fail;
            PyObject *words = PyObject_CallOneArg(words_of, chunk);
            Py_DECREF(chunk);
            if (words == NULL) goto fail;
            PyObject *seq = PySequence_Fast(words, "words_of must return a sequence of bytes");
            Py_DECREF(words);
            if (seq == NULL) goto fail;
            Py_ssize_t k, count = PySequence_Fast_GET_SIZE(seq);
            for (k = 0; k < count; k++) {
                PyObject *w = PySequence_Fast_GET_ITEM(seq, k);
                char *s;
                Py_ssize_t n;
                if (PyBytes_AsStringAndSize(w, &s, &n) < 0 || step(&out, &prev, s, n, w) < 0) {
                    Py_DECREF(seq);
                    goto fail;
                }
            }
            Py_DECREF(seq);
        }
        i = j;
    }
    prev_clear(&prev);
    PyBuffer_Release(&view);
    PyObject *result = PyBytes_FromStringAndSize(out.data ? out.data : "", out.len);
    PyMem_Free(out.data);
    return result;
fail:
    prev_clear(&prev);
    PyBuffer_Release(&view);
    PyMem_Free(out.data);
    return NULL;
}

static PyMethodDef methods[] = {
    {"set_common", set_common, METH_O, "Set the common words (an iterable of ASCII bytes)."},
    {"common_pairs", common_pairs, METH_VARARGS,
     "common_pairs(data, words_of) -> bytes: the pairs of adjacent common words of prepared text."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_pairs", NULL, -1, methods};

PyMODINIT_FUNC PyInit__pairs(void) { return PyModule_Create(&module); }
