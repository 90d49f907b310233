@testable import DatasetTools
import Testing

/// `Markup` (Sources/DatasetTools/Report/Markup.swift) and the plot helpers of `Plot`.
@Suite struct ReportMarkupTests {
    @Test func escapesEveryCharacterThatEndsTextOrAnAttribute() {
        #expect(Markup.escape("<script>alert(\"x\")</script> & 'y'")
            == "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;")
        #expect(Markup.escape("&lt;") == "&amp;lt;", "a reference in the data stays text")
        #expect(Markup.escape("é ½ 🙂 tab\tline\n") == "é ½ 🙂 tab\tline\n")
    }

    @Test func replacesCharactersHTMLForbids() {
        let forbidden: [UInt32] = [0x0, 0x7, 0x7F, 0x85, 0xFDD0, 0xFFFE, 0x1FFFF]
        var text = "", expected = ""
        for value in forbidden {
            text.unicodeScalars.append(Unicode.Scalar(value)!)
            text += "a"
            expected += "\u{FFFD}a"
        }
        #expect(Markup.escape(text) == expected)
    }

    @Test func attributesAndTextAreEscapedMissingAttributesLeftOut() {
        var markup = Markup()
        markup.element("p", [("title", "\"><script>"), ("class", nil)], text: "</p><b>")
        markup.empty("rect", [("x", "1")], selfClosing: true)
        #expect(markup.text == "<p title=\"&quot;&gt;&lt;script&gt;\">&lt;/p&gt;&lt;b&gt;</p><rect x=\"1\"/>")
    }

    @Test func numbersAreWrittenOneWay() {
        #expect([0, -0.04, 1, 2.25, 12.36, -3.5].map(Plot.number) == ["0", "0", "1", "2.3", "12.4", "-3.5"])
        #expect([0, 999, 1000, 1_234_567].map(Plot.count) == ["0", "999", "1\u{2009}000", "1\u{2009}234\u{2009}567"])
        #expect([987, 12_345, 456_789, 4_500_000].map(MatrixChart.compact) == ["987", "12.3k", "457k", "4.5M"])
        #expect(Plot.exact(3) == "3" && Plot.exact(0.1) == "0.1")
        #expect(Plot.percent(1, of: 3) == "33.3 %" && Plot.percent(1, of: 0) == "–")
    }

    @Test func ticksAreWholeAndCoverTheLargestValue() {
        #expect(Plot.ticks(upTo: 7) == (2, 8))
        #expect(Plot.ticks(upTo: 2) == (1, 2), "counts never get fractional ticks")
        #expect(Plot.ticks(upTo: 100) == (50, 100))
        #expect(Plot.ticks(upTo: 0) == (1, 1))
        #expect(Plot.ticks(upTo: 1234) == (500, 1500))
    }

    @Test func binLabels() {
        #expect([0, 1, 9, 10, 13, 20].map(ReportPage.powerOfTwo) == ["1", "2", "512", "1k", "8k", "1M"])
        #expect([0, 1, 9, 10].map(ReportPage.tenth) == ["0", "0.1", "0.9", "1"])
    }

    @Test func longLabelsAreCutWithAnEllipsis() {
        #expect(Plot.fitting("traffic_sign", width: Plot.textWidth("traffic_sign")) == "traffic_sign")
        #expect(Plot.fitting("a very long class name indeed", width: 66) == "a very lo…")
    }
}
