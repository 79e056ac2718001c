"""Fine-tuning and evaluation of the multi-task encoder (minilm-mt-*).

Entry points (wrapped by the CLI):

* ``monitor.scoring.training.train.train(data_dir, output_dir, *, resume=True, ...) -> Path``
* ``monitor.scoring.training.evaluate.evaluate(data_dir, artifact_dir, ...) -> dict[str, float]``

Both are also runnable as modules (``python -m monitor.scoring.training.train`` / ``.evaluate``).
Torch, peft and the data are only imported when those modules are.
"""
