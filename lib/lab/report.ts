/** The `report` verb: tables (CSV, JSON) and the HTML dashboard of a run directory. */
export { generateReport as report, type ReportOptions, type ReportResult } from "../report";
