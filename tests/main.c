/*
 * main.c: the Check runner over every suite, or, with --child, a helper process.
 * One summary line over all suites (Check's own); exit status non-zero on any failure.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mstest.h"

int main(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "--child") == 0)
        return mst_child_main(argc - 2, argv + 2);

    SRunner *sr = srunner_create(suite_sample());
    srunner_add_suite(sr, suite_text());
    srunner_add_suite(sr, suite_args());
    srunner_add_suite(sr, suite_scope());
    srunner_add_suite(sr, suite_block());
    srunner_add_suite(sr, suite_registry());
    srunner_add_suite(sr, suite_lock());
    srunner_add_suite(sr, suite_robust());
    srunner_add_suite(sr, suite_faults());
    srunner_add_suite(sr, suite_security());
    srunner_add_suite(sr, suite_tour());
    /* Optional: a machine-readable report where the caller asks for one. */
    if (argc >= 3 && strcmp(argv[1], "--xml") == 0)
        srunner_set_xml(sr, argv[2]);
    srunner_run_all(sr, CK_ENV);   /* CK_VERBOSITY decides; default: one line per failure */
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
