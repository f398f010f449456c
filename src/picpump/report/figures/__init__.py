"""The paper's figures and the run figures, drawn only from a run's written products."""

from picpump.report.figures.make import FIGURES, FigureSpec, make_figures, select_figures

__all__ = ["FIGURES", "FigureSpec", "make_figures", "select_figures"]
