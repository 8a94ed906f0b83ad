"""Runtimes under the models: Hugging Face loading and devices (:mod:`.hf`), ONNX Runtime,
CPU features and precision, fork safety of torch;
exporting bundled encoders (:mod:`.e5_export`) and how they are fed and pooled."""
