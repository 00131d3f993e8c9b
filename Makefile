# Two entry points, both self-installing (see scripts/bootstrap):
#   make demo   read the bundled sample page with Tesseract
#   make test   the whole test suite (main venv + the keras-ocr venv), then the
#               core's tests on Python 3.10, the oldest supported (where one is found)
#   make fuzz   the long fuzzing run (10,000 inputs per target, a counts table)
.PHONY: demo test lint bootstrap bench fuzz

# The core on Python 3.10 (scripts/py310-env): no GCV, RapidOCR, EasyOCR, Dask or keras-ocr.
PY310_TESTS = tests/test_keyword_sets.py tests/test_model*.py tests/test_geometry*.py tests/test_formats*.py \
	tests/test_layout*.py tests/test_metrics*.py tests/test_datasets*.py \
	tests/test_documents*.py tests/test_tesseract_backend.py tests/test_tesseract_convert.py \
	tests/test_cli_read.py tests/test_cli_streams.py tests/test_api.py \
	tests/test_line_shapes_deferred.py tests/test_shapes_audit9.py tests/test_searchable_pdf.py \
	tests/test_text_layer*.py tests/test_languages.py tests/test_image.py \
	src/unocr/model src/unocr/geometry

bootstrap:
	bash scripts/bootstrap

demo:
	UNOCR_SKIP_KERAS=1 bash scripts/bootstrap
	.venv/bin/unocr read samples/phototest.png --backend tesseract

test: bootstrap
	UNOCR_KERAS_PYTHON=.venv-keras/bin/python .venv/bin/python -m pytest -n 2 -p no:cacheprovider --doctest-modules tests src/unocr --ignore-glob='*/backends/*/backend.py'
	UNOCR_REQUIRE_KERAS=1 .venv-keras/bin/python -m pytest -p no:cacheprovider tests/test_keras_ocr_*.py
	if [ -x .venv-py310/bin/python ]; then .venv-py310/bin/python -m pytest -n 2 -p no:cacheprovider --doctest-modules $(PY310_TESTS); fi

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
