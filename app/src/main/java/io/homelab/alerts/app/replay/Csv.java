package io.homelab.alerts.app.replay;

/** RFC 4180 fields: quoted when they hold a comma, a quote or a line break; a leading = + - @ is defused for spreadsheets. */
final class Csv {
    private Csv() {}

    static String field(String v) {
        if (v == null) {
            return "";
        }
        String s = v;
        if (!s.isEmpty() && "=+-@\t\r".indexOf(s.charAt(0)) >= 0 && !s.matches("-?\\d+(\\.\\d+)?")) {
            s = "'" + s; // a label value must not run as a formula when the file is opened in a spreadsheet
        }
        if (s.indexOf(',') >= 0 || s.indexOf('"') >= 0 || s.indexOf('\n') >= 0 || s.indexOf('\r') >= 0) {
            return '"' + s.replace("\"", "\"\"") + '"';
        }
        return s;
    }

    static String row(String... fields) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < fields.length; i++) {
            if (i > 0) {
                b.append(',');
            }
            b.append(field(fields[i]));
        }
        return b.toString();
    }
}
