"""Imports into the position registry: the xlsx template (`xlsx`), its pages (`views`) and the
worker process that checks a large file while the importer writes (`worker`)."""
