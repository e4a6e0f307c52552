# tests/baseline.rs copies this module, writes its baseline, then edits it.
resource "aws_iam_policy" "deploy" {
  name = "deploy"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = "iam:PassRole"
      Resource = "*"
    }]
  })
}

resource "aws_iam_policy" "accepted" {
  name = "accepted"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = "iam:PassRole"
      Resource = "*" # passrole:ignore PR010 accepted in the source, so not in the baseline
    }]
  })
}
