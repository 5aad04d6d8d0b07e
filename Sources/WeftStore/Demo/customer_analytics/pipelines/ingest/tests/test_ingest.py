import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
import main  # noqa: E402


class IngestTest(unittest.TestCase):
    def test_full_sample_keeps_everything(self):
        rows = [{"customer_id": str(i)} for i in range(100)]
        self.assertEqual(len(main.ingest(rows, 1.0)), 100)

    def test_sampling_is_deterministic(self):
        rows = [{"customer_id": str(i)} for i in range(1000)]
        first = main.ingest(rows, 0.3)
        self.assertEqual(first, main.ingest(rows, 0.3))
        self.assertTrue(200 < len(first) < 400)

    def test_zero_keeps_nothing(self):
        self.assertEqual(main.ingest([{"customer_id": "a"}], 0.0), [])


if __name__ == "__main__":
    unittest.main()
