# A Lambda@Edge function's role trusts lambda.amazonaws.com and edgelambda.amazonaws.com: two service
# principals, but a set declared in the passer catalog, so not PR002.
resource "aws_iam_role" "edge" {
  name = "edge-rewrite"
  path = "/app/"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect = "Allow"
      Action = "sts:AssumeRole"
      Principal = {
        Service = [
          "lambda.amazonaws.com",
          "edgelambda.amazonaws.com",
        ]
      }
    }]
  })
}

resource "aws_lambda_function" "edge" {
  function_name = "edge-rewrite"
  role          = aws_iam_role.edge.arn
  handler       = "index.handler"
  runtime       = "nodejs20.x"
  filename      = "edge.zip"
  publish       = true
}
