"""Issue 14, point 4 in run folders: config.json records which clipping was used (clipnorm per
weight, global_clipnorm, clipvalue, as Keras names them), and a folder written before the split,
whose clipnorm meant the global norm, resumes with the global norm."""
import json

from rnnkit import runs

from test_runs import tiny  # noqa: F401  (the fixture: the test architectures, in a temporary folder)


def test_the_run_folder_records_which_clipping(tiny):
    run = runs.train("tiny-regress", overrides={"clipnorm": 0.5, "epochs": 1}, out_dir="per",
                     figures=False)
    saved = json.loads((tiny / "per" / "config.json").read_text())
    assert (saved["clipnorm"], saved["global_clipnorm"]) == (0.5, None)
    assert (run.model.optimizer.clipnorm, run.model.optimizer.global_clipnorm) == (0.5, None)
    run = runs.train("tiny-regress", overrides={"global_clipnorm": 0.25, "epochs": 1},
                     out_dir="global", figures=False)
    saved = json.loads((tiny / "global" / "config.json").read_text())
    assert (saved["clipnorm"], saved["global_clipnorm"]) == (None, 0.25)
    assert run.model.optimizer.global_clipnorm == 0.25 and not run.model.optimizer.clipnorm


def test_an_old_run_folder_resumes_with_the_global_norm_it_trained_with(tiny):
    runs.train("tiny-regress", overrides={"clipnorm": 0.5, "epochs": 1}, out_dir="old",
               figures=False)
    path = tiny / "old" / "config.json"
    old = json.loads(path.read_text())
    del old["global_clipnorm"]                     # as rnnkit wrote it before issue 14
    path.write_text(json.dumps(old))
    resumed = runs.train(resume="old", overrides={"epochs": 2}, figures=False)
    assert [r["epoch"] for r in resumed.history] == [1, 2]
    opt = resumed.model.optimizer
    assert (opt.clipnorm, opt.global_clipnorm) == (None, 0.5)
    saved = json.loads(path.read_text())
    assert (saved["clipnorm"], saved["global_clipnorm"]) == (None, 0.5)
