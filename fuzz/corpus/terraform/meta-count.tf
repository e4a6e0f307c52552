# count on the role and the function: one finding at the source expression, not one per instance.
resource "aws_iam_role" "fn" {
  count              = 3
  name               = "fn-${count.index}"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "ec2.amazonaws.com" } }]
  })
}

resource "aws_lambda_function" "fn" {
  count         = 3
  function_name = "fn-${count.index}"
  role          = aws_iam_role.fn[count.index].arn
}
