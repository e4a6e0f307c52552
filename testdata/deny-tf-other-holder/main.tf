# The broad deploy policy is attached to two roles; only one of them also holds the guardrail that
# denies PassRole. The other can still pass every role, so the grant is still PR010. A Deny held
# only by a third role changes nothing either.

resource "aws_iam_policy" "deploy" {
  name = "deploy"
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "iam:PassRole", Resource = "*" }]
  })
}

resource "aws_iam_policy" "no_pass" {
  name = "no-pass"
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Deny", Action = "iam:PassRole", Resource = "*" }]
  })
}

resource "aws_iam_role_policy_attachment" "blue_deploy" {
  role       = "blue"
  policy_arn = aws_iam_policy.deploy.arn
}

resource "aws_iam_role_policy_attachment" "blue_no_pass" {
  role       = "blue"
  policy_arn = aws_iam_policy.no_pass.arn
}

resource "aws_iam_role_policy_attachment" "green_deploy" {
  role       = "green"
  policy_arn = aws_iam_policy.deploy.arn
}

resource "aws_iam_role_policy" "red_guardrail" {
  role = "red"
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Deny", Action = "iam:PassRole", Resource = "*" }]
  })
}
