/*  =========================================================================
    fuzz_replay - a fuzz target's seeds and kept crash inputs, as a test

    Links one fuzz_<name>.c without libFuzzer and runs every file of
    tests/fuzz/corpus/<name>/ and tests/fuzz/regressions/<name>/ through
    its LLVMFuzzerTestOneInput, so every build (plain, ASan) checks that
    a crash once found stays fixed. FUZZ_TARGET_NAME is the target's name
    (set by tests/fuzz/CMakeLists.txt). Exits 0 when every input ran,
    1 when a folder cannot be read; a failing input aborts (naming it).
    =========================================================================
*/
#include <dirent.h>
#include <sys/stat.h>

#include "fuzz_target.h"

#define PATH_SIZE 4096

//  The whole file at path, in a new buffer (*size bytes), or NULL.
static uint8_t *
s_read_file (const char *path, size_t *size)
{
    FILE *file = fopen (path, "rb");
    if (!file)
        return NULL;
    uint8_t *data = NULL;
    struct stat info;
    if (fstat (fileno (file), &info) == 0) {
        *size = (size_t) info.st_size;
        data = malloc (*size + 1);          // +1: never malloc (0)
        if (data && fread (data, 1, *size, file) != *size) {
            free (data);
            data = NULL;
        }
    }
    fclose (file);
    return data;
}

//  Run every regular file of folder; returns how many, or -1 if the
//  folder cannot be read. A missing folder has no inputs.
static long
s_replay_folder (const char *folder)
{
    DIR *dir = opendir (folder);
    if (!dir)
        return 0;
    long count = 0;
    struct dirent *entry;
    while ((entry = readdir (dir))) {
        if (entry->d_name [0] == '.')
            continue;
        char path [PATH_SIZE * 2];
        snprintf (path, sizeof path, "%s/%s", folder, entry->d_name);
        size_t size = 0;
        uint8_t *data = s_read_file (path, &size);
        if (!data) {
            fprintf (stderr, "fuzz_replay: cannot read %s\n", path);
            count = -1;
            break;
        }
        fprintf (stderr, "fuzz_replay: %s (%zu bytes)\n", path, size);
        LLVMFuzzerTestOneInput (data, size);
        free (data);
        count++;
    }
    closedir (dir);
    return count;
}

int
main (void)
{
    const char *source = getenv ("BALBOARD_SOURCE_DIR");
    if (!source) {
        fprintf (stderr, "fuzz_replay: BALBOARD_SOURCE_DIR is not set\n");
        return 1;
    }
    const char *const kinds [] = { "corpus", "regressions" };
    for (size_t i = 0; i < sizeof kinds / sizeof kinds [0]; i++) {
        char folder [PATH_SIZE];
        snprintf (folder, sizeof folder, "%s/tests/fuzz/%s/%s", source,
                  kinds [i], FUZZ_TARGET_NAME);
        long count = s_replay_folder (folder);
        if (count < 0)
            return 1;
        printf ("fuzz_replay %s: %ld %s inputs ran\n", FUZZ_TARGET_NAME,
                count, kinds [i]);
    }
    return 0;
}
