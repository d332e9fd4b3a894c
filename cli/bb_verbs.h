/*  =========================================================================
    bb_verbs - the balboard CLI's verbs and their manual pages

    Each verb is one function taking the loaded configuration and the verb's
    own arguments; it prints its result (a table for people, or JSON with
    --json) and returns the process exit status:

        0   done
        1   the store or scheduler answered with an error (its reason is
            printed), or an import had rejected agents
        2   the store or scheduler did not answer within --timeout-ms
        64  bad arguments (usage printed)
    =========================================================================
*/
#ifndef BB_VERBS_H_INCLUDED
#define BB_VERBS_H_INCLUDED

#include <stddef.h>
#include <stdio.h>

#include "bb_config.h"

#define BB_EXIT_OK 0
#define BB_EXIT_REJECTED 1
#define BB_EXIT_UNREACHABLE 2
#define BB_EXIT_USAGE BB_CONFIG_EXIT_USAGE

typedef int (bb_verb_fn) (bb_config_t *config, size_t argc,
                          const char **argv);

typedef struct {
    const char *name;           // "dashboard", "agents import", ...
    size_t words;               // words in name (1 or 2)
    bb_verb_fn *run;
    const char *synopsis;       // one line
    const char *manual;         // the rest of the manual page
} bb_verb_t;

//  The verb named by the first words of argv (argc of them), or NULL.
const bb_verb_t *bb_verbs_find (size_t argc, const char **argv);

//  Print the list of verbs with their synopses.
void bb_verbs_print_list (FILE *out);

//  Print a verb's manual page.
void bb_verbs_print_manual (const bb_verb_t *verb, FILE *out);

//  Print the manual of every two-word verb whose first word is word
//  ("agents": agents import, agents remove...). Returns how many.
size_t bb_verbs_print_group (const char *word, FILE *out);

#endif
