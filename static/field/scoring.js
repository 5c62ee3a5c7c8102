/* The field app's scoring, offline: the same rules as the server's ``evaluations/scoring.py`` and the same
   typed-points rule as ``evaluations/points.py`` (``points_parse``), with the server's Vietnamese messages.
   ``tests/browser/test_field_scoring.py`` replays the shared cases of ``field/scoring_cases.json`` and a table
   of typed inputs through both sides.

   Points travel as strings with a point as decimal mark ("7.5"). They are computed exactly: a value is a
   whole or half point, so values and totals are integers of half points; the set's own numbers (maxima,
   minima, band totals) are exact decimals (digits and a scale), never floats.

   A file, not an inline script: the Content-Security-Policy allows scripts from this site only. No build
   step and no dependency: one global, ``window.FieldScoring``. */
(function () {
    "use strict";

    var GRADE_BANDS = "grade_bands";
    var PASS_FAIL_LEVELS = "pass_fail_levels";
    var TOTAL_THRESHOLD = "total_threshold";
    var INCOMPLETE = "incomplete";
    var MEETS = "meets";
    var FAILS = "fails";
    var NO_GRADE = "Không đạt";
    var PASSED_GRADE = "Đạt";
    var LEVEL_GRADE = "Mức ";

    // The whitespace Python's str.split() splits on (str.isspace()), not JavaScript's \s: the server
    // collapses exactly these, and keeps the others (a byte-order mark stays and is "not a number").
    var SPACES = /[\t\n\u000b\u000c\r\u001c-\u001f \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/g;
    // What ``points_parse`` takes as typed text: ASCII digits, one comma or point as decimal mark, a sign.
    var POINTS_TEXT = /^[+-]?(?:[0-9]+(?:[.,][0-9]*)?|[.,][0-9]+)$/;

    var MESSAGES = {
        not_a_number: "“%(value)s” không phải là số.",
        negative: "Điểm không được là số âm.",
        above_maximum: "Tối đa %(maximum)s điểm.",
        not_half_point: "Chỉ nhập điểm nguyên hoặc nửa điểm (ví dụ 7 hoặc 7,5)."
    };

    function ScoreError(code) {
        var error = new Error("ScoreError: " + code);
        error.name = "ScoreError";
        error.code = code;
        return error;
    }

    function collapse(text) {
        return String(text).replace(SPACES, " ").replace(/^ /, "").replace(/ $/, "");
    }

    // A decimal as text -> {negative, whole, fraction}: digits without leading (whole) or trailing (fraction)
    // zeros; null when the text is not a plain decimal.
    function parts(text) {
        if (!POINTS_TEXT.test(text)) {
            return null;
        }
        var sign = text.charAt(0) === "-" || text.charAt(0) === "+" ? text.charAt(0) : "";
        var body = text.slice(sign.length).replace(",", ".");
        var dot = body.indexOf(".");
        var whole = (dot < 0 ? body : body.slice(0, dot)).replace(/^0+/, "");
        var fraction = (dot < 0 ? "" : body.slice(dot + 1)).replace(/0+$/, "");
        return { negative: sign === "-" && (whole !== "" || fraction !== ""), whole: whole, fraction: fraction };
    }

    // Compare two non-negative parts exactly (any number of digits): -1, 0 or 1.
    function compareParts(a, b) {
        if (a.whole.length !== b.whole.length) {
            return a.whole.length < b.whole.length ? -1 : 1;
        }
        if (a.whole !== b.whole) {
            return a.whole < b.whole ? -1 : 1;
        }
        var width = Math.max(a.fraction.length, b.fraction.length);
        var fa = a.fraction + "0".repeat(width - a.fraction.length);
        var fb = b.fraction + "0".repeat(width - b.fraction.length);
        return fa === fb ? 0 : fa < fb ? -1 : 1;
    }

    // Exact decimals for the set's numbers: {n: integer, k: scale}, the value n / 10^k.
    function dec(value) {
        var p = parts(String(value));
        if (p === null) {
            throw new Error("not a decimal: " + value);
        }
        var n = Number((p.whole || "0") + p.fraction);
        return { n: p.negative ? -n : n, k: p.fraction.length };
    }

    function decOfHalves(halves) {
        return { n: halves * 5, k: 1 };
    }

    function scaled(d, k) {
        return d.n * Math.pow(10, k - d.k);
    }

    function decCompare(a, b) {
        var k = Math.max(a.k, b.k);
        var x = scaled(a, k);
        var y = scaled(b, k);
        return x === y ? 0 : x < y ? -1 : 1;
    }

    function decAdd(a, b) {
        var k = Math.max(a.k, b.k);
        return { n: scaled(a, k) + scaled(b, k), k: k };
    }

    // "8.5" / "10" (mark "."), "8,5" (mark ","): no trailing zeros, no "-0".
    function decText(d, mark) {
        var digits = String(Math.abs(d.n));
        while (digits.length <= d.k) {
            digits = "0" + digits;
        }
        var whole = digits.slice(0, digits.length - d.k);
        var fraction = digits.slice(digits.length - d.k).replace(/0+$/, "");
        var sign = d.n < 0 ? "-" : "";
        return sign + whole + (fraction ? mark + fraction : "");
    }

    function partsDec(p) {
        return dec((p.negative ? "-" : "") + (p.whole || "0") + (p.fraction ? "." + p.fraction : ""));
    }

    function toDec(value) {
        if (typeof value === "number") {
            return decOfHalves(value);
        }
        return dec(String(value).replace(",", "."));
    }

    /** Points as the officer reads them in Vietnamese: "8,5", "10"; "" for none. A number is half points. */
    function pointsText(halvesOrString) {
        if (halvesOrString === null || halvesOrString === undefined || halvesOrString === "") {
            return "";
        }
        return decText(toDec(halvesOrString), ",");
    }

    /** Half points as the server's JSON writes points: 17 -> "8.5", 20 -> "10"; null stays null. */
    function pointsJson(halves) {
        if (halves === null || halves === undefined) {
            return null;
        }
        return decText(decOfHalves(halves), ".");
    }

    function format(template, params) {
        return template.replace(/%\((\w+)\)s/g, function (match, name) {
            return params[name];
        });
    }

    function refused(code, params) {
        return { ok: false, code: code, message: format(MESSAGES[code], params || {}) };
    }

    // The range rule (scoring.check_points), in the server's order: negative, above the maximum, half point.
    function checkParts(p, maximum) {
        if (p.negative) {
            return "negative";
        }
        if (compareParts(p, maximum) > 0) {
            return "above_maximum";
        }
        if (p.fraction !== "" && p.fraction !== "5") {
            return "not_half_point";
        }
        return null;
    }

    function checkNumber(value, maximum) {
        if (!isFinite(value)) {
            return "not_a_number";
        }
        if (value < 0) {
            return "negative";
        }
        if (decCompare({ n: value, k: 0 }, maximum) > 0) {
            return "above_maximum";
        }
        if (!Number.isInteger(value * 2)) {
            return "not_half_point";
        }
        return null;
    }

    // How Python writes a float that is not finite (the server's message quotes str(value)).
    function pythonFloatText(value) {
        if (isNaN(value)) {
            return "nan";
        }
        return value > 0 ? "inf" : "-inf";
    }

    /**
     * Points typed for an indicator whose maximum is ``maxPoints`` ("10", 10): the server's points_parse.
     * -> {ok: true, halves: 15, text: "7.5"} (halves and text null when nothing is typed), or
     *    {ok: false, code, message} with the server's Vietnamese message.
     */
    function parsePoints(typed, maxPoints) {
        var maximum = parts(String(maxPoints));
        if (maximum === null || maximum.negative) {
            throw new Error("not a maximum: " + maxPoints);
        }
        var maximumText = decText(partsDec(maximum), ",");
        if (typeof typed === "boolean") {
            return refused("not_a_number", { value: typed ? "True" : "False" });
        }
        if (typeof typed === "number") {
            var numberProblem = checkNumber(typed, partsDec(maximum));
            if (numberProblem === "not_a_number") {
                return refused(numberProblem, { value: pythonFloatText(typed) });
            }
            if (numberProblem) {
                return refused(numberProblem, { maximum: maximumText });
            }
            var numberHalves = typed * 2 + 0;
            return { ok: true, halves: numberHalves, text: pointsJson(numberHalves) };
        }
        var text = typed === null || typed === undefined ? "" : collapse(typed);
        if (text === "") {
            return { ok: true, halves: null, text: null };
        }
        var p = parts(text);
        if (p === null) {
            return refused("not_a_number", { value: text });
        }
        var problem = checkParts(p, maximum);
        if (problem) {
            return refused(problem, { maximum: maximumText });
        }
        var halves = Number(p.whole || "0") * 2 + (p.fraction === "5" ? 1 : 0);
        return { ok: true, halves: halves, text: pointsJson(halves) };
    }

    // A recorded value -> half points; throws a ScoreError (code as the server's) for one it cannot take.
    function valueHalves(value, maximum) {
        var problem;
        if (typeof value === "number") {
            problem = checkNumber(value, maximum);
            if (problem) {
                throw ScoreError(problem);
            }
            return value * 2 + 0;
        }
        if (typeof value !== "string") {
            throw ScoreError("not_a_number");
        }
        var p = parts(collapse(value));
        if (p === null) {
            throw ScoreError("not_a_number");
        }
        problem = checkParts(p, parts(decText(maximum, ".")));
        if (problem) {
            throw ScoreError(problem);
        }
        return Number(p.whole || "0") * 2 + (p.fraction === "5" ? 1 : 0);
    }

    function valueGetter(values) {
        if (values instanceof Map) {
            return function (id) {
                var value = values.has(id) ? values.get(id) : values.get(String(id));
                return value === undefined ? null : value;
            };
        }
        return function (id) {
            if (!values || !Object.prototype.hasOwnProperty.call(values, String(id))) {
                return null;
            }
            var value = values[String(id)];
            return value === undefined ? null : value;
        };
    }

    function optionalDec(value) {
        return value === null || value === undefined ? null : dec(value);
    }

    /**
     * The result of ``values`` (indicator id -> points "7.5"/"7,5"/7.5, true/false for met, null unscored)
     * under ``spec`` (as field/serialise.py criteria_spec_json writes it): the server's scoring.score.
     */
    function score(spec, values) {
        var get = valueGetter(values);
        var indicators = [];
        spec.criteria.forEach(function (crit) {
            crit.indicators.forEach(function (ind) {
                indicators.push(ind);
            });
        });
        var missing = indicators
            .filter(function (ind) {
                return get(ind.id) === null;
            })
            .map(function (ind) {
                return ind.code;
            });
        var halvesById = {};
        var criteria = [];
        var totalHalves = 0;
        spec.criteria.forEach(function (crit) {
            var subtotal = 0;
            var maximum = { n: 0, k: 0 };
            var metCount = 0;
            crit.indicators.forEach(function (ind) {
                var value = get(ind.id);
                if (ind.max_points === null || ind.max_points === undefined) {
                    if (value !== null && typeof value !== "boolean") {
                        throw ScoreError("not_met_value");
                    }
                    metCount += value === true ? 1 : 0;
                    return;
                }
                var indMaximum = dec(ind.max_points);
                maximum = decAdd(maximum, indMaximum);
                if (value === null) {
                    return;
                }
                var halves = valueHalves(value, indMaximum);
                halvesById[String(ind.id)] = halves;
                subtotal += halves;
            });
            var minimum = optionalDec(crit.min_points);
            criteria.push({
                number: crit.number,
                subtotal: pointsJson(subtotal),
                maximum: decText(maximum, "."),
                min_points: minimum === null ? null : decText(minimum, "."),
                met_count: metCount,
                reaches_minimum: minimum === null || decCompare(decOfHalves(subtotal), minimum) >= 0
            });
            totalHalves += subtotal;
        });

        var outcome;
        if (spec.scoring_mode === PASS_FAIL_LEVELS) {
            outcome = passFail(spec, indicators, get, criteria);
        } else {
            outcome = points(spec, indicators, halvesById, totalHalves, criteria);
        }
        outcome.missing = missing;
        if (missing.length) {
            // No grade or level until every indicator is scored (as the server).
            outcome.result = INCOMPLETE;
            outcome.grade = "";
            outcome.level = null;
            outcome.reasons = [];
        }
        return outcome;
    }

    function points(spec, indicators, halvesById, totalHalves, criteria) {
        var total = decOfHalves(totalHalves);
        var reasons = criteria
            .filter(function (c) {
                return !c.reaches_minimum;
            })
            .map(function (c) {
                return { code: "criterion_minimum", number: c.number, minimum: c.min_points };
            });
        var grade = "";
        if (spec.scoring_mode === GRADE_BANDS) {
            // The highest band whose least total is reached (inclusive); of equal ones, the first.
            var band = null;
            var bandMinimum = null;
            (spec.grade_bands || []).forEach(function (candidate) {
                var least = dec(candidate.min_total);
                if (decCompare(total, least) >= 0 && (band === null || decCompare(least, bandMinimum) > 0)) {
                    band = candidate;
                    bandMinimum = least;
                }
            });
            grade = band ? band.label : spec.no_grade || NO_GRADE;
            if (band === null || !band.recognised) {
                reasons.unshift({ code: "below_band", total: pointsJson(totalHalves) });
            }
        } else if (spec.scoring_mode === TOTAL_THRESHOLD) {
            var needed = optionalDec(spec.pass_total);
            if (needed !== null && decCompare(total, needed) < 0) {
                reasons.unshift({ code: "below_total", total: pointsJson(totalHalves), needed: decText(needed, ".") });
            }
            var least = optionalDec(spec.indicator_minimum);
            if (least !== null) {
                indicators.forEach(function (ind) {
                    var halves = halvesById[String(ind.id)];
                    if (halves !== undefined && decCompare(decOfHalves(halves), least) < 0) {
                        reasons.push({ code: "indicator_minimum", indicator: ind.code, minimum: decText(least, ".") });
                    }
                });
            }
            grade = reasons.length ? spec.no_grade || NO_GRADE : PASSED_GRADE;
        } else {
            throw new Error("unknown scoring mode " + spec.scoring_mode);
        }
        return {
            result: reasons.length ? FAILS : MEETS,
            total: pointsJson(totalHalves),
            grade: grade,
            level: null,
            missing: [],
            criteria: criteria,
            reasons: reasons
        };
    }

    function passFail(spec, indicators, get, criteria) {
        function allMet(level) {
            var relevant = indicators.filter(function (ind) {
                return (ind.level || 1) <= level;
            });
            return (
                relevant.length > 0 &&
                relevant.every(function (ind) {
                    return get(ind.id) === true;
                })
            );
        }
        var hasLevelTwo = indicators.some(function (ind) {
            return (ind.level || 1) === 2;
        });
        var level = null;
        if (allMet(1)) {
            level = hasLevelTwo && allMet(2) ? 2 : 1;
        }
        var metTotal = criteria.reduce(function (sum, c) {
            return sum + c.met_count;
        }, 0);
        return {
            result: level ? MEETS : FAILS,
            total: String(metTotal),
            grade: level ? LEVEL_GRADE + level : spec.no_grade || NO_GRADE,
            level: level,
            missing: [],
            criteria: criteria,
            reasons: level ? [] : [{ code: "level_one" }]
        };
    }

    var REASONS = {
        criterion_minimum: "tiêu chí %(number)s chưa đạt mức tối thiểu %(minimum)s điểm",
        below_band: "tổng %(total)s điểm chưa đạt mức xếp loại thấp nhất được công nhận",
        below_total: "tổng %(total)s điểm chưa đạt %(needed)s điểm cần có",
        indicator_minimum: "chỉ số %(indicator)s chưa đạt mức tối thiểu %(minimum)s điểm",
        level_one: "có chỉ số mức 1 chưa đạt"
    };

    /** A reason of ``score`` as the server says it in Vietnamese. */
    function reasonText(reason) {
        var params = {};
        Object.keys(reason).forEach(function (name) {
            var value = reason[name];
            params[name] = name === "total" || name === "needed" || name === "minimum" ? pointsText(value) : value;
        });
        return format(REASONS[reason.code], params);
    }

    window.FieldScoring = {
        score: score,
        parsePoints: parsePoints,
        pointsText: pointsText,
        pointsJson: pointsJson,
        reasonText: reasonText,
        NO_GRADE: NO_GRADE
    };
})();
