variable "name" {
  type = string
}

resource "aws_iam_role" "this" {
  name = var.name
  path = "/deploy/"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "lambda.amazonaws.com" }
    }]
  })
}

output "role_arn" {
  value = aws_iam_role.this.arn
}
