# Two entry points, both self-installing (see scripts/bootstrap):
#   make demo   read the bundled sample page with Tesseract
#   make test   the whole test suite (main venv + the keras-ocr venv)
#   make fuzz   the long fuzzing run (10,000 inputs per target, a counts table)
.PHONY: demo test lint bootstrap bench fuzz

bootstrap:
	bash scripts/bootstrap

demo:
	UNOCR_SKIP_KERAS=1 bash scripts/bootstrap
	.venv/bin/unocr read samples/phototest.png --backend tesseract

test: bootstrap
	UNOCR_KERAS_PYTHON=.venv-keras/bin/python .venv/bin/python -m pytest -n 2 -p no:cacheprovider --doctest-modules tests src/unocr --ignore-glob='*/backends/*/backend.py'
	UNOCR_REQUIRE_KERAS=1 .venv-keras/bin/python -m pytest -p no:cacheprovider tests/test_keras_ocr_*.py

lint:
	UNOCR_SKIP_KERAS=1 bash scripts/bootstrap
	.venv/bin/ruff check src tests bench
	.venv/bin/ruff format --check src tests bench
	.venv/bin/mypy --strict src/unocr

bench: bootstrap
	.venv/bin/python bench/geometry.py
	.venv/bin/python bench/tesseract.py
	.venv/bin/python bench/gcv.py
	.venv/bin/python bench/metrics.py
	.venv/bin/python bench/pdf.py
	.venv/bin/python bench/workers.py
	.venv/bin/python bench/layout.py
	.venv/bin/python bench/formats.py
	.venv-keras/bin/python bench/dl.py
	.venv-keras/bin/python bench/keras_detection.py
	.venv/bin/python bench/isolation.py
	.venv/bin/python bench/dask.py
	.venv/bin/python bench/async.py
	.venv/bin/python bench/stages.py
	.venv/bin/python bench/cli_read.py

fuzz:
	UNOCR_SKIP_KERAS=1 bash scripts/bootstrap
	.venv/bin/python scripts/fuzz.py --count 10000
