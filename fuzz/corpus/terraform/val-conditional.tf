# Both branches of a conditional are checked; the finding points at the bad branch.
variable "prod" {
  default = true
}

resource "aws_iam_role" "fn" {
  name               = "fn"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "lambda.amazonaws.com" } }]
  })
}

resource "aws_iam_role" "batch" {
  name               = "batch"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "batch.amazonaws.com" } }]
  })
}

resource "aws_lambda_function" "fn" {
  function_name = "fn"
  role          = var.prod ? aws_iam_role.fn.arn : aws_iam_role.batch.arn
}

resource "aws_iam_policy" "p" {
  name = "p"
  policy = jsonencode({
    Statement = [{
      Effect   = "Allow"
      Action   = "iam:PassRole"
      Resource = var.prod ? "arn:aws:iam::123456789012:role/app/*" : "*"
    }]
  })
}
