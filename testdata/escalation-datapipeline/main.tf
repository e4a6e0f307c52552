# datapipeline: the principal may datapipeline:CreatePipeline and datapipeline:PutPipelineDefinition and datapipeline:ActivatePipeline and pass the roles under /app/; the role app/worker
# trusts datapipeline.amazonaws.com and allows s3:* on *, which the principal is not allowed. PR020 at the PassRole
# Resource, in Terraform and in CloudFormation.
resource "aws_iam_user" "dev" {
  name = "dev"
}

resource "aws_iam_user_policy" "dev" {
  user = aws_iam_user.dev.name
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      { Effect = "Allow", Action = ["datapipeline:CreatePipeline", "datapipeline:PutPipelineDefinition", "datapipeline:ActivatePipeline"], Resource = "*" },
      {
        Effect   = "Allow"
        Action   = "iam:PassRole"
        Resource = "arn:aws:iam::123456789012:role/app/*"
      },
    ]
  })
}

resource "aws_iam_role" "worker" {
  name = "worker"
  path = "/app/"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "datapipeline.amazonaws.com" } }]
  })
  inline_policy {
    name   = "work"
    policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = "s3:*", Resource = "*" }] })
  }
}
