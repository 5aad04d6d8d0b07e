import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
import main  # noqa: E402


class AggregateTest(unittest.TestCase):
    ROWS = [
        {"country": "DE", "segment": "smb", "lifetime_value": "10"},
        {"country": "DE", "segment": "smb", "lifetime_value": "5.5"},
        {"country": "FR", "segment": "enterprise", "lifetime_value": "100"},
    ]

    def test_groups(self):
        report = main.aggregate(self.ROWS)
        self.assertEqual(report[0], {"country": "DE", "segment": "smb", "customers": 2, "lifetime_value": 15.5})
        self.assertEqual(len(report), 2)

    def test_top_countries(self):
        self.assertEqual(main.top_countries(main.aggregate(self.ROWS), 1), [("DE", 2)])


if __name__ == "__main__":
    unittest.main()
