"""A sparkline's geometry: the last figures as a polyline in a small SVG box (no axes)."""

WIDTH, HEIGHT, MARGIN = 120, 32, 3


def sparkline(values):
    """The polyline's points ("x,y x,y ...") and the last point, or None with fewer than two
    figures: one figure is no line."""
    values = [float(value) for value in values if value is not None]
    if len(values) < 2:
        return None
    low, high = min(values), max(values)
    spread = (high - low) or 1.0
    step = (WIDTH - 2 * MARGIN) / (len(values) - 1)
    points = [
        (MARGIN + index * step, HEIGHT - MARGIN - (value - low) / spread * (HEIGHT - 2 * MARGIN))
        for index, value in enumerate(values)
    ]
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "points": " ".join(f"{x:.1f},{y:.1f}" for x, y in points),
        "last": points[-1],
    }
