# Each resource grants iam:PassRole on every role (PR010), some also share the statement with
# another action (PR015). Each suppression form is used once; tests/suppressions.rs says which
# finding each one silences.

resource "aws_iam_policy" "trailing" {
  policy = jsonencode({
    Statement = [{
      Effect   = "Allow"
      Action   = "iam:PassRole"
      Resource = "*" # passrole:ignore PR010 trailing comment on the finding's line
    }]
  })
}

resource "aws_iam_policy" "above" {
  policy = jsonencode({
    Statement = [{
      Effect = "Allow"
      Action = "iam:PassRole"
      // passrole:ignore PR010 double-slash comment on the line above
      Resource = "*"
    }]
  })
}

resource "aws_iam_policy" "block_comment" {
  policy = jsonencode({
    Statement = [{
      Effect   = "Allow"
      Action   = "iam:PassRole"
      Resource = "*" /* passrole:ignore PR010 block comment */
    }]
  })
}

resource "aws_iam_policy" "opening_line" { # passrole:ignore PR010 covers the whole resource
  policy = jsonencode({
    Statement = [{
      Effect   = "Allow"
      Action   = ["lambda:CreateFunction", "iam:PassRole"]
      Resource = "*"
    }]
  })
}

# passrole:ignore PR010, PR015 both rules, for the whole resource below
resource "aws_iam_policy" "above_opening" {
  policy = jsonencode({
    Statement = [{
      Effect   = "Allow"
      Action   = ["lambda:CreateFunction", "iam:PassRole"]
      Resource = "*"
    }]
  })
}

resource "aws_iam_policy" "in_a_string" {
  policy = jsonencode({
    Statement = [{ Effect = "Allow", Action = "iam:PassRole", Resource = "*", Sid = "x # passrole:ignore PR010 in a string" }]
  })
}

resource "aws_iam_policy" "in_a_heredoc" {
  policy = <<-EOF
    {"Statement": [{"Effect": "Allow", "Action": "iam:PassRole",
      "Resource": "*", "Sid": "x # passrole:ignore PR010 inside a heredoc"}]}
  EOF
}

resource "aws_iam_policy" "wrong_rule" {
  policy = jsonencode({
    Statement = [{
      Effect   = "Allow"
      Action   = "iam:PassRole"
      Resource = "*" # passrole:ignore PR011 names another rule
    }]
  })
}

resource "aws_iam_policy" "no_reason" {
  policy = jsonencode({
    Statement = [{
      Effect   = "Allow"
      Action   = "iam:PassRole"
      Resource = "*" # passrole:ignore PR010
    }]
  })
}

resource "aws_iam_policy" "unknown_rule" {
  policy = jsonencode({
    Statement = [{
      Effect   = "Allow"
      Action   = "iam:PassRole"
      Resource = "*" # passrole:ignore PR01O typo in the rule id
    }]
  })
}
