//! How the human report looks where it is written: with or without colour, and how wide.
//!
//! Colour follows the conventions users set once for all their tools: `--color always|never`
//! first; in `auto`, `FORCE_COLOR` (non-empty, not `0` or `false`) turns it on, then `NO_COLOR`
//! (no-color.org: only when non-empty) or `TERM=dumb` turn it off, and otherwise the report is in
//! colour when it goes to a terminal. The width is the terminal's (`COLUMNS` overrides it, as for
//! `ls`); a report written to a file or a pipe is always [`FILE_WIDTH`] wide, so that a CI log or a
//! saved report does not depend on the machine that wrote it.

use std::ffi::OsString;
use std::io::IsTerminal;

/// `--color`: whether the human report is in colour.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ColorChoice {
    /// Colour on a terminal, as the environment allows (the default).
    #[default]
    Auto,
    /// Colour wherever the report goes, whatever the environment says.
    Always,
    /// Never colour.
    Never,
}

/// The width of a report written to a file or a pipe, and of a terminal whose width is unknown.
pub const FILE_WIDTH: usize = 120;

/// Narrower than this, miette's frames wrap every few words: a tiny `COLUMNS` is raised to it.
const MIN_WIDTH: usize = 40;
/// Wider than this, nothing wraps anyway; a huge `COLUMNS` is capped.
const MAX_WIDTH: usize = 1000;

/// How the human report is drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Style {
    pub colour: bool,
    /// The column at which miette wraps messages and help.
    pub width: usize,
}

impl Default for Style {
    /// [`Style::PLAIN`]: what a report is when nothing says otherwise.
    fn default() -> Style {
        Style::PLAIN
    }
}

impl Style {
    /// No colour, [`FILE_WIDTH`] columns: the same text on every machine.
    pub const PLAIN: Style = Style {
        colour: false,
        width: FILE_WIDTH,
    };

    /// The style of a report written to standard output (`to_stdout`) or to a file, in this
    /// process's environment. A file is coloured only with `--color always`: `FORCE_COLOR` is
    /// meant for logs that a CI runner shows, not for saved reports.
    pub fn detect(choice: ColorChoice, to_stdout: bool) -> Style {
        if !to_stdout {
            return Style {
                colour: choice == ColorChoice::Always,
                ..Style::PLAIN
            };
        }
        let to_terminal = std::io::stdout().is_terminal();
        let terminal_columns = if to_terminal {
            terminal_size::terminal_size_of(std::io::stdout()).map(|(w, _)| w.0)
        } else {
            None
        };
        Style {
            colour: colour(choice, to_terminal, |name| std::env::var_os(name)),
            width: width(to_terminal, std::env::var_os("COLUMNS"), terminal_columns),
        }
    }
}

/// Whether to colour a report, given `--color`, whether it goes to a terminal, and the
/// environment (`var` looks a variable up). An explicit `FORCE_COLOR` wins over `NO_COLOR`: both
/// set means a tool in between forces colour on purpose.
pub fn colour(
    choice: ColorChoice,
    to_terminal: bool,
    var: impl Fn(&str) -> Option<OsString>,
) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            let forced =
                var("FORCE_COLOR").is_some_and(|v| !v.is_empty() && v != "0" && v != "false");
            let refused = var("NO_COLOR").is_some_and(|v| !v.is_empty());
            let dumb = var("TERM").is_some_and(|v| v == "dumb");
            forced || (to_terminal && !refused && !dumb)
        }
    }
}

/// The width to wrap at: on a terminal, `COLUMNS` when it is a number, else the terminal's own
/// width, else [`FILE_WIDTH`]; anywhere else [`FILE_WIDTH`].
pub fn width(to_terminal: bool, columns: Option<OsString>, terminal_columns: Option<u16>) -> usize {
    if !to_terminal {
        return FILE_WIDTH;
    }
    let from_env = columns
        .and_then(|c| c.to_str()?.trim().parse::<usize>().ok())
        .filter(|&c| c > 0);
    let from_terminal = terminal_columns.map(usize::from).filter(|&c| c > 0);
    from_env
        .or(from_terminal)
        .map_or(FILE_WIDTH, |w| w.clamp(MIN_WIDTH, MAX_WIDTH))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `colour` in an environment of these variables only.
    fn colour_in(choice: ColorChoice, to_terminal: bool, vars: &[(&str, &str)]) -> bool {
        colour(choice, to_terminal, |name| {
            vars.iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| OsString::from(v))
        })
    }

    #[test]
    fn auto_is_colour_on_a_terminal_only() {
        assert!(colour_in(ColorChoice::Auto, true, &[]));
        assert!(!colour_in(ColorChoice::Auto, false, &[]));
        assert!(colour_in(
            ColorChoice::Auto,
            true,
            &[("TERM", "xterm-256color")]
        ));
    }

    #[test]
    fn no_color_counts_only_when_non_empty() {
        assert!(!colour_in(ColorChoice::Auto, true, &[("NO_COLOR", "1")]));
        assert!(!colour_in(ColorChoice::Auto, true, &[("NO_COLOR", "0")]));
        assert!(colour_in(ColorChoice::Auto, true, &[("NO_COLOR", "")]));
    }

    #[test]
    fn a_dumb_terminal_gets_no_colour() {
        assert!(!colour_in(ColorChoice::Auto, true, &[("TERM", "dumb")]));
    }

    #[test]
    fn force_color_colours_pipes_and_beats_no_color_and_dumb() {
        assert!(colour_in(ColorChoice::Auto, false, &[("FORCE_COLOR", "1")]));
        assert!(colour_in(ColorChoice::Auto, false, &[("FORCE_COLOR", "3")]));
        assert!(colour_in(
            ColorChoice::Auto,
            true,
            &[("FORCE_COLOR", "1"), ("NO_COLOR", "1"), ("TERM", "dumb")]
        ));
    }

    #[test]
    fn force_color_empty_zero_or_false_forces_nothing() {
        for value in ["", "0", "false"] {
            assert!(
                !colour_in(ColorChoice::Auto, false, &[("FORCE_COLOR", value)]),
                "{value:?}"
            );
            // ... and does not turn colour off on a terminal either.
            assert!(
                colour_in(ColorChoice::Auto, true, &[("FORCE_COLOR", value)]),
                "{value:?}"
            );
        }
    }

    #[test]
    fn the_flag_overrides_the_environment() {
        let refusing = [("NO_COLOR", "1"), ("TERM", "dumb")];
        assert!(colour_in(ColorChoice::Always, false, &refusing));
        assert!(!colour_in(
            ColorChoice::Never,
            true,
            &[("FORCE_COLOR", "1")]
        ));
        assert!(!colour_in(ColorChoice::Never, true, &[]));
    }

    #[test]
    fn files_and_pipes_are_file_width_whatever_columns_says() {
        assert_eq!(width(false, Some("80".into()), Some(200)), FILE_WIDTH);
        assert_eq!(width(false, None, None), FILE_WIDTH);
    }

    #[test]
    fn a_terminal_is_its_own_width_unless_columns_is_a_number() {
        assert_eq!(width(true, None, Some(200)), 200);
        assert_eq!(width(true, Some("90".into()), Some(200)), 90);
        assert_eq!(width(true, Some("wide".into()), Some(200)), 200);
        assert_eq!(width(true, Some("0".into()), Some(200)), 200);
        assert_eq!(width(true, None, None), FILE_WIDTH);
        assert_eq!(width(true, None, Some(0)), FILE_WIDTH);
    }

    #[test]
    fn tiny_and_huge_widths_are_kept_readable() {
        assert_eq!(width(true, Some("5".into()), None), MIN_WIDTH);
        assert_eq!(width(true, None, Some(10)), MIN_WIDTH);
        assert_eq!(width(true, Some("99999999999".into()), None), MAX_WIDTH);
    }
}
