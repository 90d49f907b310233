/// The report's style sheet, inlined in its `<style>` element: system fonts only, plots in
/// a wrapping grid, print-friendly.
enum ReportStyle {
    static let css: StaticString = """
    :root { color-scheme: light; --ink: #1d1f23; --muted: #5d6470; --rule: #d9dce1; --ok: #23733a; --bad: #b3261e; }
    * { box-sizing: border-box; }
    body { margin: 0; font: 14px/1.45 "DejaVu Sans", system-ui, sans-serif; color: var(--ink); background: #fff; }
    header, main { max-width: 1180px; margin: 0 auto; padding: 0 24px; }
    header { padding-top: 20px; border-bottom: 1px solid var(--rule); }
    h1 { font-size: 22px; margin: 0 0 6px; }
    h2 { font-size: 18px; margin: 32px 0 10px; padding-top: 8px; border-top: 1px solid var(--rule); }
    h3 { font-size: 15px; margin: 20px 0 6px; }
    nav { margin: 10px 0 14px; }
    nav a { margin-right: 14px; color: #2b5ea7; text-decoration: none; }
    dl.figures { display: flex; flex-wrap: wrap; gap: 8px 28px; margin: 10px 0; }
    dl.figures div { min-width: 110px; }
    dl.figures dt { color: var(--muted); font-size: 12px; }
    dl.figures dd { margin: 0; font-size: 20px; font-weight: bold; }
    .verdict { display: inline-block; padding: 1px 8px; border-radius: 3px; color: #fff; font-weight: bold; }
    .verdict.valid { background: var(--ok); }
    .verdict.invalid { background: var(--bad); }
    .note { color: var(--muted); font-size: 12px; }
    .plots { display: flex; flex-wrap: wrap; gap: 10px 18px; align-items: flex-start; }
    figure { margin: 0; }
    figure.plot figcaption { font-weight: bold; font-size: 13px; margin-bottom: 2px; }
    figure.plot svg { max-width: 100%; height: auto; }
    svg text { font-family: "DejaVu Sans", system-ui, sans-serif; font-size: 11px; fill: var(--ink); }
    svg text.tick, svg text.axis-title { fill: var(--muted); }
    svg text.value { font-size: 10px; fill: var(--muted); }
    svg text.cell { font-size: 10px; }
    svg text.cell.light { fill: #fff; }
    svg text.marker-label { font-size: 10px; fill: #a0522d; }
    svg .grid { stroke: #eceef1; stroke-width: 1; }
    svg .axis { stroke: #8a9099; stroke-width: 1; }
    svg .marker { stroke: #a0522d; stroke-width: 1; stroke-dasharray: 4 3; }
    svg rect.bar { fill: #3b6fb6; }
    table { border-collapse: collapse; margin: 8px 0; font-size: 13px; }
    th, td { padding: 3px 10px; border-bottom: 1px solid var(--rule); text-align: left; vertical-align: top; }
    td.number, th.number { text-align: right; font-variant-numeric: tabular-nums; }
    .gallery { display: grid; grid-template-columns: repeat(auto-fill, minmax(220px, 1fr)); gap: 12px; }
    .gallery img { width: 100%; height: auto; image-rendering: auto; background: #222; display: block; }
    .gallery figcaption { font-size: 12px; color: var(--muted); }
    pre { background: #f6f7f9; border: 1px solid var(--rule); padding: 10px; overflow: auto; font-size: 12px; line-height: 1.4; }
    ul.faults { color: var(--bad); font-family: "DejaVu Sans Mono", monospace; font-size: 12px; }
    section.class { margin-bottom: 8px; }
    footer { max-width: 1180px; margin: 28px auto 24px; padding: 8px 24px 0; border-top: 1px solid var(--rule); color: var(--muted); font-size: 12px; }
    """
}
