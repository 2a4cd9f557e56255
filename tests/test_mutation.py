"""The mutation driver's bookkeeping (tests/mutation.py): what counts, and what is listed."""
import os
import tempfile
import textwrap
import unittest

from tests import mutation

DIFF = textwrap.dedent("""\
    --- conformance/gradcheck.py
    +++ conformance/gradcheck.py
    @@ -10,7 +10,7 @@
         x = 1
    -    return None
    +    return None  # changed
    """).splitlines()


class TestEquivalents(unittest.TestCase):

    def write(self, text):
        tmp = tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False)
        self.addCleanup(os.unlink, tmp.name)
        with tmp:
            tmp.write(text)
        return tmp.name

    def test_a_block_is_keyed_by_file_and_changed_lines(self):
        path = self.write("# header\n\ngradcheck.py\n-    return None\n+    return None  # changed"
                          "\nwhy: the same value\n")
        key = mutation.key(DIFF[0][4:], DIFF)
        self.assertEqual(key, ("gradcheck.py", ("return None",), ("return None  # changed",)))
        self.assertEqual(mutation.read_equivalent(path), {key: "the same value"})

    def test_a_block_without_its_reason_is_refused(self):
        path = self.write("gradcheck.py\n-    return None\n+    return 0\n")
        with self.assertRaisesRegex(ValueError, r"needs one 'why: <reason>'"):
            mutation.read_equivalent(path)

    def test_the_projects_list_reads(self):
        for (name, removed, added), why in mutation.read_equivalent().items():
            with self.subTest(name=name, removed=removed):
                self.assertTrue(name.endswith(".py") and (removed or added) and why)


class TestTally(unittest.TestCase):

    def test_slow_kills_and_timeouts_are_killed_and_listed_equivalents_do_not_count(self):
        ids = {"killed": [1, 2, 3], "timeout": [4], "suspicious": [5], "survived": [6, 7],
               "skipped": [8], "untested": []}
        survivors = [(6, "k6", ""), (7, "k7", "")]
        killed, counted, equivalent, missing = mutation.tally(ids, survivors, {"k6": "why"})
        self.assertEqual((killed, counted), (5, 6))
        self.assertEqual(([s[0] for s in equivalent], [s[0] for s in missing]), ([6], [7]))


if __name__ == "__main__":
    unittest.main()
