# for_each over roles: each.value is each role; one finding at the expression.
resource "aws_iam_role" "api" {
  name               = "api"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "lambda.amazonaws.com" } }]
  })
}

resource "aws_iam_role" "worker" {
  name               = "worker"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "glue.amazonaws.com" } }]
  })
}

resource "aws_lambda_function" "fn" {
  for_each = {
    api    = aws_iam_role.api.arn
    worker = aws_iam_role.worker.arn
  }
  function_name = each.key
  role          = each.value
}
