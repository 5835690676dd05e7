"""Training pieces: targets, partial-label loss masking, ONNX export parity, a smoke run."""

import json

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("onnx")

from penmark.model import create_model  # noqa: E402
from penmark.model.export import export_onnx  # noqa: E402
from penmark.model.net import STRIDE  # noqa: E402
from penmark.train.loss import detection_loss  # noqa: E402
from penmark.train.targets import build_targets  # noqa: E402


def _batch(class_mask):
    t = build_targets(
        np.array([[40, 40, 200, 80], [100, 150, 160, 190]], np.float32),
        np.array([0, 1]),
        np.zeros((0, 4), np.float32),
        np.zeros(0, np.int64),
        (256, 256),
        2,
        STRIDE,
    )
    return {
        "heat": torch.from_numpy(t.heat)[None],
        "reg": torch.from_numpy(t.reg)[None],
        "reg_weight": torch.from_numpy(t.reg_weight)[None],
        "ignore": torch.from_numpy(t.ignore)[None],
        "class_mask": torch.tensor([class_mask], dtype=torch.float32),
    }


def test_targets_peak_at_box_centres():
    b = _batch([1.0, 1.0])
    heat = b["heat"][0].numpy()
    assert heat[0, 60 // 8, 120 // 8] == 1.0 and heat[1, 170 // 8, 130 // 8] == 1.0
    assert (heat == 1.0).sum() == 2
    assert b["reg_weight"].sum() > 0


def test_unlabelled_class_predictions_are_not_punished():
    """With handwriting unlabelled (Tobacco800), confident handwriting anywhere costs nothing."""
    batch = _batch([0.0, 1.0])
    gh = gw = 256 // STRIDE
    ltrb = torch.full((1, 4, gh, gw), 10.0)
    base = torch.full((1, 2, gh, gw), -6.0)
    loud = base.clone()
    loud[:, 0] = 6.0  # confident handwriting everywhere
    l_base, _ = detection_loss(base, ltrb, batch, STRIDE)
    l_loud, _ = detection_loss(loud, ltrb, batch, STRIDE)
    assert torch.isclose(l_base, l_loud)
    labelled = _batch([1.0, 1.0])
    l_base2, _ = detection_loss(base, ltrb, labelled, STRIDE)
    l_loud2, _ = detection_loss(loud, ltrb, labelled, STRIDE)
    assert l_loud2 > l_base2 + 1.0


def test_onnx_export_matches_torch(tmp_path):
    ort = pytest.importorskip("onnxruntime")
    torch.manual_seed(0)
    net = create_model("penmark-tiny").eval()
    path = export_onnx(net, tmp_path / "m.onnx", {"input_size": 512})
    x = torch.rand(1, 3, 224, 160) * 255
    with torch.no_grad():
        heat, ltrb = net(x)
    sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    oheat, oltrb = sess.run(None, {"image": x.numpy()})
    t = torch.sigmoid(heat).numpy()
    peaks = oheat > 0
    assert peaks.any()
    np.testing.assert_allclose(oheat[peaks], t[peaks], rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(oltrb, ltrb.numpy(), rtol=1e-4, atol=1e-3)
    meta = {p.key: json.loads(p.value) for p in __import__("onnx").load(str(path)).metadata_props}
    assert meta["labels"] == ["handwritten", "signature"] and meta["input_size"] == 512


def test_ensemble_export_averages_the_members(tmp_path):
    """An ensemble file gives the mean of its members' sigmoid scores and box distances (at the
    peaks of that mean), and records what it holds."""
    ort = pytest.importorskip("onnxruntime")
    from penmark.model.export import export_ensemble

    torch.manual_seed(0)
    a, b = create_model("penmark-tiny").eval(), create_model("penmark-tiny").eval()
    with torch.no_grad():  # members that disagree: b's handwriting bias pushed up
        b.heat_head[-1].bias[0] += 3.0
    cfg = {"model": "penmark-tiny", "input_size": 512}
    path = export_ensemble(
        [(a.state_dict(), cfg, 10), (b.state_dict(), cfg, 20)], "e", tmp_path / "e.onnx",
        ["a.pt", "b.pt"],
    )
    x = torch.rand(1, 3, 224, 160) * 255
    with torch.no_grad():
        (ha, la), (hb, lb) = a(x), b(x)
    mean_heat = ((torch.sigmoid(ha) + torch.sigmoid(hb)) / 2).numpy()
    sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    oheat, oltrb = sess.run(None, {"image": x.numpy()})
    peaks = oheat > 0
    assert peaks.any()
    np.testing.assert_allclose(oheat[peaks], mean_heat[peaks], rtol=1e-4, atol=1e-5)
    assert not np.allclose(oheat[peaks], torch.sigmoid(ha).numpy()[peaks], atol=1e-3)
    np.testing.assert_allclose(oltrb, ((la + lb) / 2).numpy(), rtol=1e-4, atol=1e-3)
    meta = {p.key: json.loads(p.value) for p in __import__("onnx").load(str(path)).metadata_props}
    assert meta["ensemble"] == ["a.pt", "b.pt"] and meta["input_size"] == 512
    other = {"model": "penmark-tiny", "input_size": 1024}
    with pytest.raises(ValueError, match="input sizes"):
        export_ensemble([(a.state_dict(), cfg, 1), (b.state_dict(), other, 1)], "e",
                        tmp_path / "x.onnx")


def test_training_smoke_run_and_resume(tiny_coco, tmp_path):
    from penmark.runtime import Detector
    from penmark.train.loop import TrainConfig, train

    cfg = TrainConfig(
        out=str(tmp_path / "run"),
        model="penmark-tiny",
        sources=[(str(tiny_coco), 1.0)],
        steps=3,
        batch=2,
        crop=256,
        input_size=512,
        workers=0,
        save_every=2,
        keep_every=2,
        warmup=1,
        log_every=1,
    )
    out = train(cfg)
    assert (out / "last.pt").exists() and (out / "last.onnx").exists()
    assert sorted(p.name for p in out.glob("step*.pt")) == ["step000002.pt"]
    log = [json.loads(x) for x in (out / "log.jsonl").read_text().splitlines()]
    assert [r["step"] for r in log] == [1, 2, 3] and all(np.isfinite(r["loss"]) for r in log)
    cfg.resume, cfg.steps = str(out / "last.pt"), 5
    train(cfg)
    log = [json.loads(x) for x in (out / "log.jsonl").read_text().splitlines()]
    assert [r["step"] for r in log][-2:] == [4, 5]
    ckpt = torch.load(out / "last.pt", map_location="cpu", weights_only=False)
    assert ckpt["ema_updates"] == 5  # the average survived the resume and kept counting
    raw, avg = ckpt["model"], ckpt["ema"]
    assert any(not torch.equal(raw[k], avg[k]) for k in raw if raw[k].is_floating_point())
    # kept snapshots hold the exported (averaged) weights at their step, in fp16
    snap = torch.load(out / "step000004.pt", map_location="cpu", weights_only=False)
    assert snap["step"] == 4 and set(snap["model"]) == set(avg)
    assert all(v.dtype == torch.float16 for v in snap["model"].values() if v.is_floating_point())
    assert not (out / "step000005.pt").exists()
    det = Detector(out / "last.onnx", threshold=0.0)
    assert det.input_size == 512
    regions = det.detect(tiny_coco.parent / "p0.png")
    assert all(r.label in ("handwritten", "signature") for r in regions)


def test_int8_quantization_keeps_metadata_and_outputs_close(tmp_path):
    pytest.importorskip("onnxruntime.quantization")
    from penmark.model.export import quantize_int8
    from penmark.runtime import Detector

    torch.manual_seed(0)
    net = create_model("penmark-tiny").eval()
    src = export_onnx(net, tmp_path / "m.onnx", {"input_size": 256})
    rng = np.random.default_rng(0)
    calib = [rng.uniform(0, 255, (1, 3, 128, 96)).astype(np.float32) for _ in range(4)]
    dst = quantize_int8(src, tmp_path / "q.onnx", calib)
    fp32, int8 = Detector(src), Detector(dst)
    assert int8.metadata["quantized"] == "int8" and int8.input_size == 256
    assert int8.model_labels == fp32.model_labels
    _, box32 = fp32.predict_raw(calib[0])
    _, box8 = int8.predict_raw(calib[0])
    assert np.abs(box32 - box8).mean() < 0.1 * np.abs(box32).mean() + 1.0


def test_weight_average_follows_the_weights_with_its_decay():
    from penmark.train.loop import WeightAverage

    net = torch.nn.Sequential(torch.nn.Linear(2, 1), torch.nn.BatchNorm1d(1))
    with torch.no_grad():
        net[0].weight.fill_(0.0)
    avg = WeightAverage(net, decay=0.5)
    with torch.no_grad():
        net[0].weight.fill_(1.0)
    avg.update(net)  # decay min(0.5, 2/11): 0 -> 1 - 2/11
    assert torch.allclose(avg.model[0].weight, torch.full((1, 2), 1 - 2 / 11))
    for _ in range(60):
        avg.update(net)
    assert torch.allclose(avg.model[0].weight, torch.ones(1, 2), atol=1e-6)
    assert avg.model[1].num_batches_tracked == net[1].num_batches_tracked  # integers copied
    assert not any(p.requires_grad for p in avg.model.parameters())


def test_average_checkpoints_is_the_elementwise_mean(tmp_path) -> None:
    from penmark.train.averaging import average_checkpoints

    torch.manual_seed(0)
    a, b = create_model("penmark-s"), create_model("penmark-s")
    for p in b.parameters():
        p.data.normal_()
    torch.save({"ema": a.state_dict(), "model": b.state_dict(), "step": 5,
                "config": {"model": "penmark-s"}}, tmp_path / "a.pt")
    torch.save({"model": {k: v.half() if v.is_floating_point() else v
                          for k, v in b.state_dict().items()}, "step": 9}, tmp_path / "b.pt")
    state, info = average_checkpoints([tmp_path / "a.pt", tmp_path / "b.pt"])
    assert info == {"config": {"model": "penmark-s"}, "step": 9}
    sa, sb = a.state_dict(), b.state_dict()
    for k, v in state.items():
        if v.is_floating_point():  # a's ema (not its raw weights) and b's fp16 weights
            assert torch.allclose(v, (sa[k].float() + sb[k].half().float()) / 2, atol=1e-6), k
        else:
            assert torch.equal(v, sa[k])
    net = create_model("penmark-s")
    net.load_state_dict(state)  # a loadable network
    other = {"model": {"conv.weight": torch.zeros(3)}}
    torch.save(other, tmp_path / "c.pt")
    with pytest.raises(ValueError, match="c.pt"):
        average_checkpoints([tmp_path / "a.pt", tmp_path / "c.pt"])


def test_cli_train_input_size_reaches_the_exported_model(tiny_coco, tmp_path):
    """``penmark train --input-size`` sets the page scale of training and of the exported file."""
    from typer.testing import CliRunner

    from penmark.cli import app
    from penmark.runtime import Detector

    out = tmp_path / "run"
    args = ["train", "--data", f"{tiny_coco}:1", "--out", str(out), "--model", "penmark-tiny",
            "--steps", "1", "--batch", "1", "--crop", "128", "--workers", "0", "--warmup", "1",
            "--input-size", "384"]
    res = CliRunner().invoke(app, args)
    assert res.exit_code == 0, res.output
    assert Detector(out / "last.onnx").input_size == 384
    assert json.loads((out / "config.json").read_text())["input_size"] == 384
