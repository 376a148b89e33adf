"""Figures across municipalities for oversight bodies and the public: aggregates only."""
