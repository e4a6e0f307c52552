# A Lambda role that also trusts "*" limited to the organization by a condition: still every principal
# of every account in the organization may assume it directly. PR003 points at the "*".
resource "aws_iam_role" "reports" {
  name = "reports"
  path = "/app/"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect    = "Allow"
        Action    = "sts:AssumeRole"
        Principal = { Service = "lambda.amazonaws.com" }
      },
      {
        Effect = "Allow"
        Action = "sts:AssumeRole"
        Principal = {
          AWS = "*"
        }
        Condition = { StringEquals = { "aws:PrincipalOrgID" = "o-a1b2c3d4e5" } }
      },
    ]
  })
}

resource "aws_lambda_function" "reports" {
  function_name = "reports"
  role          = aws_iam_role.reports.arn
  handler       = "index.handler"
  runtime       = "python3.12"
  filename      = "reports.zip"
}
