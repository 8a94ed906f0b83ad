"""The fine-tuned IndoBERT topic classifier (torch and transformers load on first use)."""
from .model import IndoBertTopicClassifier, IndoBertTrainingArguments

__all__ = ["IndoBertTopicClassifier", "IndoBertTrainingArguments"]
