"""Policy knowledge: documents, cleaning, chunking, lexicon, hybrid search, answer composition, eval."""
