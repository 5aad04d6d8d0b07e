import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
import main  # noqa: E402


class CleanTest(unittest.TestCase):
    ROW = {"customer_id": "7", "name": "Ada Lovelace", "email": "Ada@Example.com", "country": "gb",
           "segment": "smb", "lifetime_value": "12.5"}

    def test_names_removed_and_email_hashed(self):
        out = main.clean([self.ROW], "salt")[0]
        self.assertNotIn("name", out)
        self.assertNotIn("Ada", str(out))
        self.assertEqual(len(out["email_hash"]), 16)
        self.assertEqual(out["country"], "GB")

    def test_salt_changes_hash(self):
        a = main.clean([self.ROW], "one")[0]["email_hash"]
        b = main.clean([self.ROW], "two")[0]["email_hash"]
        self.assertNotEqual(a, b)

    def test_invalid_rows_dropped(self):
        bad = dict(self.ROW, email="nobody")
        self.assertEqual(main.clean([bad], "s"), [])
        self.assertEqual(len(main.clean([bad], "s", drop_invalid=False)), 1)


if __name__ == "__main__":
    unittest.main()
