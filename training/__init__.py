"""The recipe that builds Kroniek's Dutch model from ../shared/data (see training/train_model.py)."""
