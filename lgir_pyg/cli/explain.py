import argparse

HELP = ("Explain one user's recommendations: each score split exactly into "
        "the contributions of the user's training interactions, own text "
        "and ID embedding, with the resume's words that match the item.")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from lgir_pyg.cli import recommend
    from lgir_pyg.cli._args import writable_file
    recommend.add_arguments(parser, k=5)
    parser.add_argument('--plot', type=writable_file, default=None,
                        metavar='PATH', help="draw the user's neighbourhood "
                        'and the recommended items, edges weighted by '
                        'contribution, into the PNG file PATH')


def run(args: argparse.Namespace) -> int:
    import sys

    from lgir_pyg.cli.recommend import trained_model
    from lgir_pyg.explain import (explain, format_explanations,
                                           plot_explanations)
    from lgir_pyg.models import model_spec

    name, data, model, user = trained_model(args)
    user_text = model_spec(name).user_text
    explanations = explain(model, data, user, args.k, user_text)
    print(format_explanations(explanations, data, model.edge_type, name,
                              user_text))
    if args.plot:
        plot_explanations(explanations, data, model.edge_type, args.plot)
        print(f'# picture: {args.plot}', file=sys.stderr)
    return 0
