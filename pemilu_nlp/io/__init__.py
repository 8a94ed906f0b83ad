"""Reading and writing: JSONL, documents, the labelled corpus, topic schema, IndoSum, unlabelled
pools, label imports, sealed model folders (:mod:`.persistence`) and default data paths."""
