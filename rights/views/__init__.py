"""The public pages (no staff login): the rights board and the published draws (board), a worker's own records
(worker), complaints and their tracking (complaints)."""
