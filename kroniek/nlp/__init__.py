"""The Dutch NLP pipeline: entities, sentences, lemmas, quotations, time expressions.

Analysis is a pure function of an article (see `pipeline.analyze`); nothing here touches the store.
"""
