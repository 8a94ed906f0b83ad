"""Runtimes under the models: Hugging Face loading and devices (:mod:`.hf`), ONNX Runtime,
CPU features and precision, fork safety of torch."""
