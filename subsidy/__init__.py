"""The subsidy calculator; its request path's modules run compiled when built from the sources as they are."""

from . import compiled

compiled.activate(__path__)
