"""Data: the CIFAR-10 binary reader on small files written in the real format; clear errors."""

import hashlib
import tarfile

import numpy as np
import pytest

from orthontk_lib import data


def write_cifar_batch(path, labels, rng):
    """Records in the official layout: 1 label byte, then 1024 R, 1024 G, 1024 B bytes (row-major 32x32)."""
    images = rng.integers(0, 256, size=(len(labels), 32, 32, 3), dtype=np.uint8)
    planes = images.transpose(0, 3, 1, 2).reshape(len(labels), -1)
    path.write_bytes(np.concatenate([np.asarray(labels, np.uint8)[:, None], planes], axis=1).tobytes())
    return images


@pytest.fixture
def cifar_dir(tmp_path):
    rng = np.random.default_rng(0)
    folder = tmp_path / "src" / "cifar-10-batches-bin"
    folder.mkdir(parents=True)
    train = [write_cifar_batch(folder / f"data_batch_{i}.bin", [i, (i + 3) % 10], rng) for i in range(1, 6)]
    test = write_cifar_batch(folder / "test_batch.bin", [7, 8, 9], rng)
    return folder, np.concatenate(train), test


def test_reader_decodes_the_binary_layout(cifar_dir, tmp_path):
    folder, train, test = cifar_dir
    d = data.load("cifar10", n_train=7, n_test=3, root=folder.parent, flatten=False)
    assert d.x_train.shape == (7, 32, 32, 3) and d.x_test.shape == (3, 32, 32, 3)
    np.testing.assert_array_equal(np.round(d.x_train * 255).astype(np.uint8), train[:7])
    np.testing.assert_array_equal(np.round(d.x_test * 255).astype(np.uint8), test)
    assert d.y_train.argmax(1).tolist() == [1, 4, 2, 5, 3, 6, 4]
    assert d.y_test.argmax(1).tolist() == [7, 8, 9]
    assert data.load("cifar10", n_train=2, n_test=1, root=folder.parent).x_train.shape == (2, 3072)


def test_image_shapes_are_what_the_loaders_give_and_multiply_to_the_dimension(cifar_dir):
    folder = cifar_dir[0]
    shapes = {"digits": data.load("digits", n_train=2, n_test=1, flatten=False).x_train.shape[1:],
              "cifar10": data.load("cifar10", n_train=2, n_test=1, root=folder.parent, flatten=False).x_train.shape[1:]}
    assert shapes == data.IMAGE_SHAPE
    assert {k: int(np.prod(v)) for k, v in shapes.items()} == data.DIMENSION


def make_archive(cifar_dir, tmp_path):
    folder = cifar_dir[0]
    root = tmp_path / "archive_root"
    root.mkdir()
    archive = root / "cifar-10-binary.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(folder, arcname="cifar-10-batches-bin")
    return root, hashlib.sha256(archive.read_bytes()).hexdigest()


def test_archive_is_verified_then_extracted(cifar_dir, tmp_path):
    root, sha = make_archive(cifar_dir, tmp_path)
    d = data.load("cifar10", n_train=3, n_test=1, root=root, sha256=sha)
    assert d.x_train.shape == (3, 3072)
    assert (root / "cifar-10-batches-bin" / "test_batch.bin").is_file()


def test_archive_with_wrong_checksum_is_refused(cifar_dir, tmp_path):
    root, _ = make_archive(cifar_dir, tmp_path)  # checked against the published SHA-256: a mismatch
    with pytest.raises(data.DataError, match="corrupt: SHA-256"):
        data.load("cifar10", n_train=1, n_test=1, root=root)
    assert not (root / "cifar-10-batches-bin").exists()


def test_truncated_batch_file_is_reported(cifar_dir):
    folder = cifar_dir[0]
    path = folder / "data_batch_1.bin"
    path.write_bytes(path.read_bytes()[:-10])
    with pytest.raises(data.DataError, match=r"data_batch_1\.bin is corrupt"):
        data.load("cifar10", n_train=4, n_test=1, root=folder.parent)


def test_bad_label_byte_is_reported(cifar_dir):
    folder = cifar_dir[0]
    path = folder / "test_batch.bin"
    raw = bytearray(path.read_bytes())
    raw[0] = 42
    path.write_bytes(bytes(raw))
    with pytest.raises(data.DataError, match="label byte is 42"):
        data.load("cifar10", n_train=1, n_test=1, root=folder.parent)


def test_missing_folder_says_where_to_put_the_files(tmp_path, monkeypatch):
    monkeypatch.delenv(data.CIFAR10_DIR_ENV, raising=False)
    with pytest.raises(data.DataError, match=r"put cifar-10-binary\.tar\.gz .* in .*nowhere"):
        data.load("cifar10", root=tmp_path / "nowhere")


def test_too_few_records_is_reported(cifar_dir):
    with pytest.raises(data.DataError, match="only 10 records"):
        data.load("cifar10", n_train=11, n_test=1, root=cifar_dir[0].parent)


def test_digits_are_real_deterministic_and_split():
    a = data.load("digits", n_train=100, n_test=50, seed=3)
    b = data.load("digits", n_train=100, n_test=50, seed=3)
    np.testing.assert_array_equal(a.x_train, b.x_train)
    assert a.x_train.shape == (100, 64) and 0 <= a.x_train.min() and a.x_train.max() <= 1
    assert a.y_train.sum(1).tolist() == [1.0] * 100
    assert data.load("digits", n_train=4, n_test=0, flatten=False).x_train.shape == (4, 8, 8, 1)


def test_sphere_inputs_have_norm_sqrt_d():
    d = data.load("sphere", n_train=5, d=256)
    np.testing.assert_allclose(np.linalg.norm(d.x_train, axis=1), 16.0, rtol=1e-5)


def test_sphere_inputs_are_float32_like_every_loader():
    """The sphere's inputs keep the networks' dtype, as ``on_sphere`` and the other loaders do (NumPy 2 promotes a
    float32 array times a NumPy float64 scalar to float64, which an analytic kernel would read and a network not)."""
    d = data.load("sphere", n_train=3, n_test=2, d=64)
    assert d.x_train.dtype == d.x_test.dtype == data.load("normal", n_train=3, d=64).x_train.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(d.x_train.astype(np.float64), axis=1), 8.0, rtol=1e-6)


def test_unknown_dataset_is_named():
    with pytest.raises(ValueError, match="^name: unknown data set 'mnist'"):
        data.load("mnist")


def test_sines_are_the_condensation_papers_tasks():
    d5 = data.load("sines", n_train=80, n_test=20, d=5, seed=0)
    assert d5.x_train.shape == (80, 5) and d5.y_train.shape == (80, 1) and d5.x_train.dtype == np.float32
    assert d5.x_train.min() >= -4 and d5.x_train.max() <= 2
    np.testing.assert_allclose(d5.y_train[:, 0], (3.5 * np.sin(5 * d5.x_train + 1)).sum(1), rtol=1e-5, atol=1e-5)
    d1 = data.load("sines", n_train=40, n_test=10, d=1)
    np.testing.assert_allclose(d1.x_train[:, 0], np.linspace(-1, 1.5, 40), rtol=1e-6)
    np.testing.assert_allclose(d1.y_train[:, 0], np.sin(3 * d1.x_train[:, 0]) + 0.5 * np.sin(6 * d1.x_train[:, 0]),
                               atol=1e-6)
    with pytest.raises(ValueError, match="sines"):
        data.load("sines", d=0)


@pytest.mark.parametrize("name, d", [("digits", 64), ("cifar10", 3072)])
def test_every_loader_is_called_alike_and_sphere_puts_rows_at_norm_sqrt_d(cifar_dir, monkeypatch, name, d):
    folder, _, _ = cifar_dir
    monkeypatch.setenv(data.CIFAR10_DIR_ENV, str(folder.parent))
    plain = data.load(name, n_train=5, n_test=2, seed=3)  # the same call for every data set: a seed is taken by all
    on = data.load(name, n_train=5, n_test=2, seed=3, sphere=True)
    assert on.x_train.shape == (5, data.DIMENSION[name]) == (5, d) and on.x_train.dtype == np.float32
    for x, raw in ((on.x_train, plain.x_train), (on.x_test, plain.x_test)):
        norms = np.sqrt((x.astype(np.float64) ** 2).sum(1))
        np.testing.assert_allclose(norms, np.sqrt(d), rtol=1e-6)
        # the same direction: each row is a positive multiple of the raw one
        cos = (x * raw).sum(1) / (np.linalg.norm(x, axis=1) * np.linalg.norm(raw, axis=1))
        np.testing.assert_allclose(cos, 1.0, rtol=1e-6)
    np.testing.assert_array_equal(on.y_train, plain.y_train)


def test_sphere_refuses_images_that_are_not_flattened():
    with pytest.raises(ValueError, match="^sphere: digits inputs of shape .* are images; load them flattened"):
        data.load("digits", n_train=4, n_test=1, flatten=False, sphere=True)


def test_cifar10_ignores_the_seed_and_reads_the_file_order(cifar_dir):
    folder, train, _ = cifar_dir
    a, b = (data.load("cifar10", n_train=4, n_test=1, seed=s, root=folder.parent) for s in (0, 7))
    np.testing.assert_array_equal(a.x_train, b.x_train)
