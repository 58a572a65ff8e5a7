doc
