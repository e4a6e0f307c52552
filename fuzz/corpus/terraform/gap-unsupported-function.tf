# A function passrole does not evaluate: a stated coverage gap, never a guess.
resource "aws_lambda_function" "fn" {
  function_name = "fn"
  role          = replace("arn:aws:iam::123456789012:role/x", "x", "y")
}

resource "aws_iam_policy" "p" {
  name = "p"
  policy = jsonencode({
    Statement = [{ Effect = "Allow", Action = "iam:PassRole", Resource = upper("*") }]
  })
}
