"""Kế hoạch cải thiện chỉ số SIPAS: plans that answer a round's results with tasks per factor."""
